"""Optional generated narratives (``perth journal --narrate``).

Each session's facts (its Markdown, already redacted, filtered once more with
``required=True`` because it leaves for a model) become one
:class:`~perth.summarize.model.Section`; :func:`perth.summarize.service.narrate` runs the
configured provider chain (``llm.chain``, the model-free ``none`` by default).  The
reply is kept apart from the facts and always rendered as generated.  At most
:data:`MAX_NARRATED` sessions (the newest) are narrated per run; a provider failure
becomes a warning, never a lost journal.
"""

from __future__ import annotations

from perth.errors import PerthError
from perth.journal.markdown import heading, session_body
from perth.journal.model import Narrative, Session
from perth.record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from perth.runtime import Runtime
    from perth.summarize.model import Section
    from perth.summarize.service import Narration

    Narrator = Callable[[Runtime, Sequence[Section]], Narration]

MAX_NARRATED = 10


def session_section(rt: Runtime, session: Session) -> Section:
    """The facts of one session as a context section for the narrator."""
    from perth.summarize.model import Section

    facts = "\n".join(session_body(replace(session, narrative=None))).strip()
    text = rt.secret_filter.redact(facts, source="journal", required=True)
    return Section(name=f"journal.session.{session.id}", title=f"Work {heading(session)}", priority=0, text=text)


def _default_narrator() -> Narrator:
    from perth.summarize.service import narrate

    chosen: Narrator = narrate
    return chosen


def _narrative(rt: Runtime, narrator: Narrator, session: Session) -> Narrative:
    reply = narrator(rt, [session_section(rt, session)])
    text = rt.secret_filter.redact(str(reply.text), source="journal", required=True)
    return Narrative(text=text, provider=reply.provider, model=reply.model, warnings=tuple(reply.warnings))


def narrate_sessions(rt: Runtime, sessions: Sequence[Session], *,
                     narrator: Narrator | None = None) -> tuple[list[Session], list[str]]:
    """Sessions with narratives (newest :data:`MAX_NARRATED`), and warnings for those without."""
    chosen = narrator if narrator is not None else _default_narrator()
    out: list[Session] = []
    warnings: list[str] = []
    for index, session in enumerate(sessions):
        if index >= MAX_NARRATED:
            out.append(session)
            continue
        try:
            out.append(replace(session, narrative=_narrative(rt, chosen, session)))
        except PerthError as exc:
            warnings.append(f"no narrative for session {session.id}: {exc.message}")
            out.append(session)
    if len(sessions) > MAX_NARRATED:
        warnings.append(f"only the newest {MAX_NARRATED} sessions were narrated (use --last to choose fewer)")
    return out, warnings
