"""Small-cell suppression over a tree of groups (survey → contract → stakeholder group).

A node with fewer than k respondents is hidden (primary suppression). Because a parent's count
is the sum of its children's, a lone hidden child could be derived from the parent minus its
shown siblings; so among the children of a shown node, hidden ones are never alone and together
hold at least k respondents — otherwise the smallest shown siblings are hidden too
(complementary suppression). A hidden node hides its whole subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    key: tuple
    n: int
    children: list[Node] = field(default_factory=list)


def suppress(root: Node, k: int, forced: set[tuple] = frozenset()) -> set[tuple]:
    """The keys of every node that must not be shown. Nodes in `forced` are hidden whatever
    their count (another figure of the same cells already hides them), and the complementary
    suppression around them is done as for a small node."""
    hidden: set[tuple] = set()

    def hide_subtree(node: Node) -> None:
        hidden.add(node.key)
        for child in node.children:
            hide_subtree(child)

    def small(node: Node) -> bool:
        return node.n < k or node.key in forced

    def visit(node: Node) -> None:
        if small(node):
            hide_subtree(node)
            return
        children = node.children
        hidden_children = [c for c in children if small(c)]
        shown = sorted((c for c in children if not small(c)), key=lambda c: (c.n, c.key))
        while (
            hidden_children
            and shown
            and (len(hidden_children) == 1 or sum(c.n for c in hidden_children) < k)
        ):
            hidden_children.append(shown.pop(0))
        for child in children:
            if child in hidden_children:
                hide_subtree(child)
            else:
                visit(child)

    visit(root)
    return hidden


TOTAL = "total"


def survey_tree(
    respondents: dict[tuple[int, str], int], contracts: list[int], groups: list[str]
) -> Node:
    """The tree of one survey: survey → contract → stakeholder group, on respondent counts.

    Cells without any respondent are left out: there is nobody to protect, and a zero among
    the hidden siblings would otherwise force a large group to be hidden for nothing."""
    contract_nodes = []
    for contract in contracts:
        children = [
            Node(key=(contract, group), n=respondents.get((contract, group), 0))
            for group in groups
            if respondents.get((contract, group), 0) > 0
        ]
        contract_nodes.append(
            Node(key=(contract, TOTAL), n=sum(c.n for c in children), children=children)
        )
    contract_nodes = [c for c in contract_nodes if c.n > 0]
    return Node(key=(TOTAL, TOTAL), n=sum(c.n for c in contract_nodes), children=contract_nodes)


def respondent_counts(rows) -> dict[tuple[int, str], int]:
    """Respondents per (contract, group) from (contract_id, group, n) of perception and
    expectation rollups: every respondent answers these (the ratings are required)."""
    counts: dict[tuple[int, str], int] = {}
    for contract_id, group, n in rows:
        counts[(contract_id, group)] = max(counts.get((contract_id, group), 0), n)
    return counts
