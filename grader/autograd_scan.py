"""Finding torch autograd in the code reachable from named roots (a network class, its losses).

Runs in the trusted parent on the submission's source text, so nothing the submission does
at run time can hide from it. From each root (a top-level class or function) it follows
every name the root's code mentions to the top-level classes and functions of the
submission that carry that name, in any of its files: helpers, their helpers, methods of
other classes. Any of them is flagged when it:

- uses an attribute or keyword that only autograd has (``.backward``, ``requires_grad``,
  ``grad_fn``, the engine's ``run_backward`` ...);
- names anything imported from ``torch.autograd``, ``torch.func`` or ``functorch``, under
  any alias, or reaches it as an attribute path (``T.autograd.grad``);
- calls ``getattr`` with one of those names as a literal, or runs dynamic code
  (``eval``, ``exec``, ``compile``, ``__import__``, ``importlib``) that no reading can check.

The runtime spies in ``grader.harness.calls`` watch the same calls as they happen; this
scan is the part a submission cannot tamper with.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterable, Iterator

ATTRIBUTES = frozenset({"backward", "autograd", "requires_grad", "requires_grad_", "grad_fn",
                        "_execution_engine", "run_backward", "_engine_run_backward", "_ImperativeEngine",
                        "enable_grad", "set_grad_enabled", "retain_grad", "functorch"})
MODULES = ("torch.autograd", "torch.func", "torch._functorch", "functorch")
DYNAMIC = frozenset({"eval", "exec", "compile", "__import__", "importlib", "import_module"})
REFLECTION = frozenset({"getattr", "setattr", "hasattr", "delattr", "__getattribute__"})


def autograd_uses(sources: Iterable[str], roots: Iterable[str]) -> list[str]:
    """``"Net.backward"``-style names of the reachable functions that use autograd, sorted."""
    trees = [tree for tree in (_parse(_normalized(text)) for text in sources) if tree is not None]
    definitions = _definitions(trees)
    aliases = _aliases(trees)
    classes = {"self", "cls", *(n.name for tree in trees for n in tree.body if isinstance(n, ast.ClassDef))}
    found: set[str] = set()
    for name, node in _reachable(definitions, roots):
        if _uses_autograd(node, aliases, classes):
            found.add(name)
    return sorted(found)


def _normalized(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


Definitions = dict[str, list[tuple[str, ast.AST]]]


def _definitions(trees: list[ast.Module]) -> Definitions:
    """Every top-level function and class, and every method, by the name code calls it by.

    Top-level statements that rebind a name (``Net.backward = helper``, ``loss = f``) are
    kept under that name too, so what they assign is followed.
    """
    found: Definitions = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.setdefault(node.name, []).append((node.name, node))
            elif isinstance(node, ast.ClassDef):
                found.setdefault(node.name, []).append((node.name, _class_level(node)))
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        found.setdefault(item.name, []).append((f"{node.name}.{item.name}", item))
            else:
                for target in _assigned_names(node):
                    found.setdefault(target, []).append((f"line {getattr(node, 'lineno', '?')}", node))
    return found


def _class_level(node: ast.ClassDef) -> ast.AST:
    """A class's own statements (decorators, bases, class attributes), without its methods."""
    body = [item for item in node.body if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
    heads: list[ast.stmt] = [ast.Expr(value=expr) for expr in [*node.decorator_list, *node.bases]]
    return ast.Module(body=[*heads, *body], type_ignores=[])


def _assigned_names(node: ast.AST) -> Iterator[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    for target in targets:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Attribute):
            yield target.attr
            if isinstance(target.value, ast.Name):
                yield target.value.id


def _reachable(definitions: Definitions, roots: Iterable[str]) -> Iterator[tuple[str, ast.AST]]:
    """Each definition reachable from ``roots`` (a root class brings all its methods)."""
    todo = [name for root in roots for name in _with_methods(definitions, root)]
    done: set[str] = set()
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        for label, node in definitions.get(name, []):
            yield label, node
            todo += [n for n in _mentioned(node) if n in definitions and n not in done]


def _with_methods(definitions: Definitions, root: str) -> list[str]:
    methods = [label.split(".", 1)[1] for entries in definitions.values() for label, _ in entries
               if label.startswith(f"{root}.")]
    return [root, *methods]


def _mentioned(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


def _aliases(trees: list[ast.Module]) -> set[str]:
    """Local names bound to an autograd module or to something imported from one."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.asname or a.name.split(".")[0] for a in node.names
                          if a.name.startswith(MODULES) and a.asname}
            elif isinstance(node, ast.ImportFrom) and node.module:
                full = [f"{node.module}.{a.name}" for a in node.names]
                names |= {a.asname or a.name for a, path in zip(node.names, full, strict=True)
                          if path.startswith(MODULES) or node.module.startswith(MODULES)}
    return names


def _uses_autograd(node: ast.AST, aliases: set[str], classes: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and _own_method(sub, classes):
            continue
        if isinstance(sub, ast.Attribute) and (sub.attr in ATTRIBUTES or _dotted(sub).startswith(MODULES)):
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "func" and _dotted(sub.value) == "torch":
            return True
        if isinstance(sub, ast.Name) and (sub.id in aliases or sub.id in DYNAMIC):
            return True
        if isinstance(sub, ast.keyword) and sub.arg in ("requires_grad",) and not _is_false(sub.value):
            return True
        if isinstance(sub, ast.Call) and _reflects_on_autograd(sub):
            return True
        if isinstance(sub, ast.Import | ast.ImportFrom) and _imports_autograd(sub):
            return True
    return False


def _own_method(node: ast.Attribute, classes: set[str]) -> bool:
    """``self.backward``, ``Net.backward`` or ``super().backward``: a method of the submission's
    own class, not autograd's."""
    base = node.value
    return (isinstance(base, ast.Name) and base.id in classes) or (
        isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "super")


def _reflects_on_autograd(call: ast.Call) -> bool:
    """``getattr(x, "backward")`` and the like: a literal autograd name looked up by reflection."""
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    return name in REFLECTION and any(isinstance(arg, ast.Constant) and arg.value in ATTRIBUTES
                                      for arg in call.args)


def _is_false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _imports_autograd(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.module) and (node.module.startswith(MODULES)  # type: ignore[union-attr]
                                      or any(a.name in ("autograd", "func") for a in node.names))
    return any(a.name.startswith(MODULES) for a in node.names)


def _dotted(node: ast.AST) -> str:
    """``torch.autograd.grad`` for that attribute chain ("" when it is not a plain chain)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])
