"""Every action code the code can write into the audit log, read from the source itself.

Walks voorelkaar/ for calls of audit.record(db, actor, ACTION, ...) and
audit.security_event(db, ACTION, ...) and works out ACTION: a string, a constant (of the
module or imported), either side of an `x if c else y`, an f-string (its placeholders
expanded from PLACEHOLDERS), a local variable, or a parameter (then from every call of
that function). An ACTION it cannot work out fails the test that uses it, by name.
"""

from __future__ import annotations

import ast
import importlib
import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "voorelkaar"
POST_TABLES = ("help_requests", "offers", "vacancies")
# What the placeholders of f-string action codes can be.
PLACEHOLDERS = {
    "name": POST_TABLES,
    "type(post).__tablename__": POST_TABLES,
    "report.subject_type": POST_TABLES,
    "answer": ("ja", "nee"),
    "action": ("verified", "unverified"),
    "stage.value": ("talking", "accepted", "declined"),
}
WRITERS = {"record": 2, "security_event": 1}


class Unknown(Exception):
    pass


class Module:
    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(), str(path))
        self.consts: dict[str, ast.expr] = {}
        self.imports: dict[str, tuple[str, str | None]] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.consts[target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        for node in ast.walk(self.tree):  # imports inside functions
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imports.setdefault(alias.asname or alias.name, (node.module, alias.name))
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def function_of(self, node: ast.AST):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def writes_audit(self, call: ast.Call) -> int | None:
        """The index of the action argument when call writes an audit row."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "audit"
            and func.attr in WRITERS
        ):
            return WRITERS[func.attr]
        if isinstance(func, ast.Name) and func.id in WRITERS:
            origin = self.imports.get(func.id)
            if origin == ("voorelkaar.audit", func.id) or self.path.name == "audit.py":
                return WRITERS[func.id]
        return None


def _python_value(module: Module, dotted: list[str]):
    head, *rest = dotted
    if head not in module.imports:
        raise Unknown(".".join(dotted))
    source, name = module.imports[head]
    value = importlib.import_module(source)
    try:
        value = getattr(value, name)
    except AttributeError:
        value = importlib.import_module(f"{source}.{name}")
    for part in rest:
        value = getattr(value, part)
    return value


def _dotted(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [*_dotted(node.value), node.attr]
    raise Unknown(ast.unparse(node))


def _assigned(target: ast.expr, value: ast.expr, name: str) -> list[ast.expr]:
    """What `target = value` gives name: all of value, or its part in a tuple."""
    if isinstance(target, ast.Name):
        return [value] if target.id == name else []
    if isinstance(target, ast.Tuple):
        for position, element in enumerate(target.elts):
            if isinstance(element, ast.Name) and element.id == name:
                return _element(value, position)
    return []


def _element(value: ast.expr, position: int) -> list[ast.expr]:
    if isinstance(value, ast.Tuple):
        return [value.elts[position]]
    if isinstance(value, ast.IfExp):
        return _element(value.body, position) + _element(value.orelse, position)
    raise Unknown(f"cannot tell part {position} of {ast.unparse(value)}")


class Collector:
    def __init__(self):
        self.modules = [Module(path) for path in sorted(ROOT.rglob("*.py"))]

    def codes(self) -> dict[str, str]:
        """Each action code, and one place that writes it."""
        found: dict[str, str] = {}
        for module in self.modules:
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.Call):
                    continue
                index = module.writes_audit(node)
                if index is None:
                    continue
                where = f"{module.path.relative_to(ROOT.parent)}:{node.lineno}"
                argument = self._argument(node, index, "action")
                if argument is None:
                    raise Unknown(f"no action argument at {where}")
                for code in self.resolve(module, argument, node, set()):
                    found.setdefault(code, where)
        return found

    @staticmethod
    def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        return call.args[index] if len(call.args) > index else None

    def resolve(self, module: Module, node: ast.expr, at: ast.AST, seen: set) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.resolve(module, node.body, at, seen) | self.resolve(
                module, node.orelse, at, seen
            )
        if isinstance(node, ast.JoinedStr):
            return self._expand(node)
        if isinstance(node, ast.Attribute):
            return {str(_python_value(module, _dotted(node)))}
        if isinstance(node, ast.Name):
            return self._name(module, node.id, at, seen)
        raise Unknown(f"{module.path}:{getattr(node, 'lineno', '?')}: {ast.unparse(node)}")

    def _expand(self, node: ast.JoinedStr) -> set[str]:
        parts: list[tuple[str, ...]] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append((value.value,))
            else:
                placeholder = ast.unparse(value.value)
                if placeholder not in PLACEHOLDERS:
                    raise Unknown(f"teach PLACEHOLDERS the values of {{{placeholder}}}")
                parts.append(PLACEHOLDERS[placeholder])
        return {"".join(combination) for combination in itertools.product(*parts)}

    def _name(self, module: Module, name: str, at: ast.AST, seen: set) -> set[str]:
        function = module.function_of(at)
        if function is not None:
            assigned = [
                value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                for target in node.targets
                for value in _assigned(target, node.value, name)
            ]
            if assigned:
                return set().union(*(self.resolve(module, v, at, seen) for v in assigned))
            parameters = [arg.arg for arg in function.args.args + function.args.kwonlyargs]
            if name in parameters:
                return self._from_callers(function.name, name, parameters.index(name), seen)
        if name in module.consts:
            return self.resolve(module, module.consts[name], at, seen)
        if name in module.imports:
            return {str(_python_value(module, [name]))}
        raise Unknown(f"{module.path}: cannot tell what {name} holds")

    def _from_callers(self, function: str, parameter: str, index: int, seen: set) -> set[str]:
        if (function, parameter) in seen:
            return set()
        seen = seen | {(function, parameter)}
        codes: set[str] = set()
        for module in self.modules:
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called != function:
                    continue
                argument = self._argument(node, index, parameter)
                if argument is not None:
                    codes |= self.resolve(module, argument, node, seen)
        return codes


def action_codes() -> dict[str, str]:
    """Every action code written anywhere in voorelkaar/, with a place that writes it."""
    return Collector().codes()
