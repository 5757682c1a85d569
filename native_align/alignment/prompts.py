"""Versioned polishing prompts (the paper's code of conduct), in chat and few-shot completion form.

A template is a YAML file ``<name>.yaml``. The bundled ones exist once, in ``native_align/resources/conf/prompts``
(so an installed package has them); ``conf/prompts`` holds only templates a user adds. Its *version* is derived
from the file's text, so editing the wording automatically makes a new ``prompt_version`` in ``aligned``/
``seed_pairs`` instead of silently mixing two prompts under one name. Chat models get
:meth:`PromptTemplate.messages`; base models without a chat template (Gemma 3 270M) get
:meth:`PromptTemplate.completion_prompt`, a few-shot plain-text form they can continue.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from native_align.config import PACKAGE_CONF_DIR, conf_dir

TEXT_SLOT = "{text}"


@dataclass(frozen=True)
class FewShot:
    """One worked example: an original document and its polished rewrite."""

    original: str
    rewrite: str


@dataclass(frozen=True)
class PromptTemplate:
    """A polishing prompt; ``version`` = ``<name>-<sha1(file text)[:8]>`` identifies the exact wording."""

    name: str
    sha: str
    system: str
    user: str
    few_shot: tuple[FewShot, ...] = ()
    header: str = ""
    original_label: str = "Original:"
    rewrite_label: str = "Rewrite:"
    separator: str = "###"
    stop: tuple[str, ...] = ()
    language: str = "ar"
    source: str = ""
    meta: dict = field(default_factory=dict, compare=False)
    # The YAML text the template was parsed from (its version hashes exactly this): saved beside a trained worker.
    text: str = field(default="", compare=False, repr=False)

    @property
    def version(self) -> str:
        return f"{self.name}-{self.sha[:8]}"

    def user_message(self, text: str) -> str:
        # str.replace, not str.format: documents contain braces.
        return self.user.replace(TEXT_SLOT, text.strip())

    def messages(self, text: str, few_shot: bool = True) -> list[dict]:
        """Chat form: system rules, the worked examples as earlier turns, then the document."""
        out = [{"role": "system", "content": self.system.strip()}]
        if few_shot:
            for ex in self.few_shot:
                out.append({"role": "user", "content": self.user_message(ex.original)})
                out.append({"role": "assistant", "content": ex.rewrite.strip()})
        out.append({"role": "user", "content": self.user_message(text)})
        return out

    def completion_prompt(self, text: str) -> str:
        """Few-shot plain text for base models; the model continues after the last ``rewrite_label``."""
        parts = [self.header.strip(), ""] if self.header.strip() else []
        for ex in self.few_shot:
            parts += [self.original_label, ex.original.strip(), "", self.rewrite_label, ex.rewrite.strip(),
                      self.separator, ""]
        parts += [self.original_label, text.strip(), "", self.rewrite_label, ""]
        return "\n".join(parts)

    def clean_output(self, text: str) -> str:
        """What a model returned, minus the prompt scaffolding it may repeat: text after a stop string, the
        <text> fences, and a leading rewrite label. Content is never touched."""
        for stop in self.stop:
            if stop and stop in text:
                text = text.split(stop, 1)[0]
        text = text.strip()
        if text.startswith(self.rewrite_label):
            text = text[len(self.rewrite_label):].strip()
        if text.startswith("<text>"):
            text = text[len("<text>"):]
        if text.endswith("</text>"):
            text = text[: -len("</text>")]
        return text.strip()

    def echo_fragments(self, min_chars: int = 25) -> list[str]:
        """Pieces of the instructions that must never appear in a rewrite (guardrails' echo check)."""
        frags: list[str] = []
        for block in (self.system, self.user.replace(TEXT_SLOT, ""), self.header):
            for line in block.splitlines():
                line = line.strip().lstrip("0123456789. ")
                # Long lines are cut to a distinctive prefix so a partly echoed rule still matches.
                if len(line) >= min_chars:
                    frags.append(line[:60])
        frags += [self.original_label, self.rewrite_label]
        return frags


def prompt_dirs() -> list[Path]:
    """Where templates are looked up: the user's (the active conf dir) first, then the bundled ones."""
    dirs = [conf_dir() / "prompts", PACKAGE_CONF_DIR / "prompts"]
    return list(dict.fromkeys(dirs))


def find_prompt_file(name: str) -> Path:
    """``name`` is a template name (``polish_v1``) or a path to a YAML file."""
    direct = Path(name)
    if direct.suffix in (".yaml", ".yml") and direct.is_file():
        return direct
    for d in prompt_dirs():
        for ext in (".yaml", ".yml"):
            p = d / f"{name}{ext}"
            if p.is_file():
                return p
    raise FileNotFoundError(f"prompt template '{name}' not found in {', '.join(map(str, prompt_dirs()))}")


def parse_prompt(text: str, source: str = "<string>") -> PromptTemplate:
    """Build a template from YAML text; the version hash is taken over exactly this text."""
    data = yaml.safe_load(text) or {}
    missing = [k for k in ("name", "system", "user") if not data.get(k)]
    if missing:
        raise ValueError(f"{source}: prompt template lacks {', '.join(missing)}")
    if TEXT_SLOT not in data["user"]:
        raise ValueError(f"{source}: the user message must contain {TEXT_SLOT}")
    comp = data.get("completion") or {}
    shots = tuple(FewShot(original=str(s["original"]), rewrite=str(s["rewrite"])) for s in data.get("few_shot") or [])
    # Normalise line endings before hashing so a checkout on Windows gets the same version.
    sha = hashlib.sha1(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()
    return PromptTemplate(
        name=str(data["name"]), sha=sha, system=str(data["system"]), user=str(data["user"]), few_shot=shots,
        header=str(comp.get("header", "")), original_label=str(comp.get("original_label", "Original:")),
        rewrite_label=str(comp.get("rewrite_label", "Rewrite:")), separator=str(comp.get("separator", "###")),
        stop=tuple(str(s) for s in data.get("stop") or ()), language=str(data.get("language", "ar")),
        source=source, text=text,
    )


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> PromptTemplate:
    return parse_prompt(Path(path).read_text(encoding="utf-8"), source=path)


def load_prompt(name: str = "polish_v1") -> PromptTemplate:
    """The template called ``name`` (or at a YAML path). Cached per file and modification time."""
    path = find_prompt_file(name)
    return _load_cached(str(path), path.stat().st_mtime)
