"""``features import --zshrc``: one feature per plugin-manager or source line, in the file's order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from perth.features.importer import propose, to_toml
from perth.features.model import NAME, merge, parse_document

ZSHRC = """\
# my zshrc
export ZSH="$HOME/.oh-my-zsh"
plugins=(git docker)
source $ZSH/oh-my-zsh.sh
source ~/.zinit/bin/zinit.zsh
zinit light zsh-users/zsh-autosuggestions
zinit ice wait lucid
zinit snippet OMZP::git
antigen bundle zsh-users/zsh-syntax-highlighting
if [[ -f ~/.local.zsh ]]; then
  source ~/.local.zsh
fi
[ -f ~/.fzf.zsh ] && source ~/.fzf.zsh
eval "$(starship init zsh)"
autoload -Uz compinit && compinit
. "$HOME/.cargo/env"
alias ll='ls -l'
"""


def test_a_typical_zshrc_becomes_ordered_features_and_kept_lines() -> None:
    proposal = propose("~/.zshrc", ZSHRC)
    names = [f.name for f in proposal.features]
    assert names == ["oh-my-zsh", "zinit", "zsh-autosuggestions", "git", "zsh-syntax-highlighting", "fzf",
                     "starship", "compinit", "env"]
    by_name = {f.name: f for f in proposal.features}
    assert by_name["oh-my-zsh"].source == "$ZSH/oh-my-zsh.sh" and by_name["env"].source == "$HOME/.cargo/env"
    assert by_name["fzf"].snippet == "[ -f ~/.fzf.zsh ] && source ~/.fzf.zsh"
    assert by_name["zsh-autosuggestions"].depends_on == ("zinit",)
    kept = [line for _, line in proposal.kept]
    assert "  source ~/.local.zsh" in kept and "alias ll='ls -l'" in kept
    assert by_name["git"].snippet == "zinit ice wait lucid; zinit snippet OMZP::git"


def test_the_proposal_is_a_valid_declarations_file() -> None:
    import tomllib

    document = tomllib.loads(to_toml(propose("/home/u/.zshrc", ZSHRC)))
    features = merge(parse_document("proposed.toml", document))
    assert next(iter(features)) == "oh-my-zsh" and features["starship"].depends_on == ("fzf",)
    assert all(f.phase == "init" for f in features.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["source ~/a.zsh", "source ~/a.zsh", ". /x/y.sh", "zplug 'x/y'", "compinit",
                                 "eval \"$(tool init zsh)\"", "echo hi", "if true; then", "fi", "znap source a/b",
                                 "source $(brew --prefix)/z.sh", "antibody bundle x/prompt_ready"]), max_size=30))
def test_any_zshrc_gives_unique_valid_names_and_a_loadable_file(lines: list[str]) -> None:
    import tomllib

    proposal = propose("z", "\n".join(lines))
    names = [f.name for f in proposal.features]
    assert len(set(names)) == len(names) and all(NAME.fullmatch(n) for n in names)
    merge(parse_document("p.toml", tomllib.loads(to_toml(proposal))))
