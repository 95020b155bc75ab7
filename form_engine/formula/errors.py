"""Errors and problems of the formula language.

Every diagnostic carries a message code and parameters (rendered in zh-CN and en through
``_messages``) plus, where it concerns a place in the formula, the 0-based character position
so an editor can put a caret under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from form_engine.formula._messages import FORMULA_MESSAGES
from form_engine.messages import CatalogMessage, CatalogText


class FormulaProblem(CatalogText):
    """One problem found by ``check_formula``: the English text, with code and position.

    It *is* a ``str`` (the English message) so callers can treat problems as plain text,
    and it renders in any locale through ``message(locale)``.
    """

    catalog = FORMULA_MESSAGES
    position: int | None

    def __new__(
        cls, code: str, params: Mapping[str, Any], position: int | None = None
    ) -> FormulaProblem:
        self = super().__new__(cls, code, params)
        self.position = position
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle rebuild from the code
        return (type(self), (self.code, self.params, self.position))


class FormulaError(CatalogMessage, ValueError):
    """Base class of every error the formula language raises."""

    catalog = FORMULA_MESSAGES

    def __init__(self, code: str, params: Mapping[str, Any]) -> None:
        self.code = code
        self.params = dict(params)
        super().__init__(self.catalog.render(code, params))

    def message(self, locale: str | None = None) -> str:
        return self.localized_message(locale)


class FormulaSyntaxError(FormulaError):
    """The text is not a formula. ``position`` is the 0-based character offset of the fault.

    ``FormulaSyntaxError(message, position)`` also works, for callers that build one
    from their own text; it reads the same in every locale. With ``code``, ``message`` is
    not used: the text comes from the catalog.
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
            self.code = ""  # no catalog code: every locale shows ``message``
            self.params = {}
        else:
            super().__init__(code, params or {})

    @classmethod
    def at(cls, code: str, position: int, text: str, **params: Any) -> FormulaSyntaxError:
        """The error ``code`` at ``position`` of ``text``."""
        return cls("", position, code=code, params=params, text=text)

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
