"""An import-linter contract that no module imports itself through others (`make test` runs
`lint-imports`, which reads it from pyproject.toml).

import-linter's own ``acyclic_siblings`` compares whole packages, and our domain packages
rightly use each other's models and services both ways; what must never happen is a circle of
*modules*, at the top of a file or inside a function: Python then runs a module before the
names it imports exist, and a function-level import only hides that.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    packages = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        circles = sorted({circle for package in self.packages for circle in circles_in(graph, package.name)})
        return ContractCheck(kept=not circles, metadata={"circles": circles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for circle in check.metadata["circles"]:
            output.print_error(" -> ".join((*circle, circle[0])))
            output.new_line()


def circles_in(graph: ImportGraph, package: str) -> set[tuple[str, ...]]:
    """Every import of ``package`` whose imported module leads back to the importer, as the
    circle of modules it closes (each circle named once, from its first module by name)."""
    circles = set()
    for importer in graph.find_descendants(package) | {package}:
        for imported in graph.find_modules_directly_imported_by(importer):
            way_back = graph.find_shortest_chain(importer=imported, imported=importer)
            if way_back is not None:
                circles.add(_from_first(way_back))
    return circles


def _from_first(circle: tuple[str, ...]) -> tuple[str, ...]:
    start = circle.index(min(circle))
    return circle[start:] + circle[:start]
