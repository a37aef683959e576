"""A tiny model2vec static embedding model, built at test time from a few texts (nothing downloaded).

Word vectors come from latent semantic analysis: a tf-idf weighted word-by-text matrix, its word
co-occurrence matrix, and the top eigenvectors of that (scaled by the square root of their eigenvalues).
Words that appear in the same texts end up close; unknown words map to a zero vector.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

WORD = re.compile(r"\w+")


def build_model(texts: Sequence[str], path: Path, *, dim: int = 32, max_vocab: int = 4000) -> Path:
    """Write a model2vec model folder to ``path`` and return it."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    docs = [WORD.findall(t.lower()) for t in texts]
    df = Counter(w for d in docs for w in set(d))
    words = [w for w, n in df.most_common(max_vocab) if n >= 1]
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(docs), len(words)), dtype=np.float64)
    idf = np.log((1 + len(docs)) / (1 + np.array([df[w] for w in words], dtype=np.float64))) + 1
    for row, doc in enumerate(docs):
        for word, count in Counter(doc).items():
            if word in index:
                matrix[row, index[word]] = (1 + np.log(count)) * idf[index[word]]
    cooc = matrix.T @ matrix
    values, vectors = np.linalg.eigh(cooc)
    top = np.argsort(values)[::-1][:dim]
    embeddings = vectors[:, top] * np.sqrt(np.clip(values[top], 0, None))
    if embeddings.shape[1] < dim:
        embeddings = np.pad(embeddings, ((0, 0), (0, dim - embeddings.shape[1])))
    vocab = {"[UNK]": 0, "[PAD]": 1, **{w: i + 2 for i, w in enumerate(words)}}
    table = np.vstack([np.zeros((2, dim)), embeddings]).astype(np.float32)
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    StaticModel(vectors=table, tokenizer=tokenizer, normalize=True).save_pretrained(str(path))
    return path
