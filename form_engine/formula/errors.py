"""Errors and problems of the formula language.

Every diagnostic carries a message code and parameters (rendered in zh-CN and en through
``_messages``) plus, where it concerns a place in the formula, the 0-based character position
so an editor can put a caret under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from form_engine.formula import _messages

LOCALE_EN = "en"


class FormulaProblem(str):
    """One problem found by ``check_formula``: the English text, with code and position.

    It *is* a ``str`` (the English message) so callers can treat problems as plain text,
    and it renders in any locale through ``message(locale)``.
    """

    code: str
    params: Mapping[str, Any]
    position: int | None

    def __new__(
        cls, code: str, params: Mapping[str, Any], position: int | None = None
    ) -> FormulaProblem:
        self = super().__new__(cls, _messages.render(code, params, LOCALE_EN))
        self.code = code
        self.params = dict(params)
        self.position = position
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle rebuild from the code
        return (type(self), (self.code, self.params, self.position))

    def message(self, locale: str = LOCALE_EN) -> str:
        return _messages.render(self.code, self.params, locale)

    @property
    def messages(self) -> dict[str, str]:
        """The message in every supported locale (zh-CN and en)."""
        return _messages.texts(self.code, self.params)


class FormulaError(ValueError):
    """Base class of every error the formula language raises."""

    def __init__(self, code: str, params: Mapping[str, Any]) -> None:
        self.code = code
        self.params = dict(params)
        super().__init__(_messages.render(code, params, LOCALE_EN))

    def message(self, locale: str = LOCALE_EN) -> str:
        return _messages.render(self.code, self.params, locale)

    @property
    def messages(self) -> dict[str, str]:
        return _messages.texts(self.code, self.params)


class FormulaSyntaxError(FormulaError):
    """The text is not a formula. ``position`` is the 0-based character offset of the fault.

    ``FormulaSyntaxError(message, position)`` also works, for callers that build one
    from their own text.
    """

    def __init__(
        self,
        message: str,
        position: int,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
        text: str = "",
    ) -> None:
        self.position = position
        self.text = text
        if code is None:
            ValueError.__init__(self, message)
            self.code = ""
            self.params = {}
            self._plain = message
        else:
            super().__init__(code, params or {})
            self._plain = None

    @classmethod
    def at(cls, code: str, position: int, text: str, **params: Any) -> FormulaSyntaxError:
        """The error ``code`` at ``position`` of ``text``."""
        return cls(
            _messages.render(code, params, LOCALE_EN),
            position,
            code=code,
            params=params,
            text=text,
        )

    def message(self, locale: str = LOCALE_EN) -> str:
        return self._plain if self._plain is not None else super().message(locale)

    @property
    def messages(self) -> dict[str, str]:
        if self._plain is not None:
            return {locale: self._plain for locale in _messages.LOCALES}
        return super().messages

    def caret(self) -> str:
        """The formula text with a ``^`` under the faulty character, for plain-text display.

        Only the line holding the fault is shown, so multi-line formulas stay readable.
        """
        start = self.text.rfind("\n", 0, self.position) + 1
        end = self.text.find("\n", self.position)
        line = self.text[start : end if end != -1 else len(self.text)]
        return f"{line}\n{' ' * (self.position - start)}^"


class FormulaEvaluationError(FormulaError):
    """A value had a type the formula cannot use (``"abc" * 2``).

    ``check_formula`` reports these statically; evaluation raises this only for a formula
    that was not checked against the fields it runs on, or for records holding values of
    the wrong type.
    """


class FormulaCycleError(FormulaError):
    """Formula fields depend on each other in a circle; ``cycle`` lists them in order."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        path = " → ".join([*self.cycle, self.cycle[0]])
        super().__init__("cycle", {"path": path})
