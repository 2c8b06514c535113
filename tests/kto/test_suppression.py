"""Small-cell suppression: no group with n < k is shown or derivable from what is shown."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kto.suppression import Node, suppress

K = 5


@st.composite
def trees(draw, depth=0, prefix=("root",)):
    """A random group tree whose parents are the sums of their children (as respondents are)."""
    if depth >= 2 or draw(st.booleans()) and depth > 0:
        return Node(key=prefix, n=draw(st.integers(min_value=0, max_value=30)))
    count = draw(st.integers(min_value=1, max_value=5))
    children = [draw(trees(depth=depth + 1, prefix=(*prefix, i))) for i in range(count)]
    return Node(key=prefix, n=sum(c.n for c in children), children=children)


def all_nodes(node):
    yield node
    for child in node.children:
        yield from all_nodes(child)


def derivable(root, hidden: set) -> set:
    """Hidden nodes whose count is fixed by the shown counts and parent = Σ children.

    A hidden variable is determined exactly when its unit vector lies in the row space of the
    linear system restricted to the hidden variables."""
    nodes = list(all_nodes(root))
    unknown = [n.key for n in nodes if n.key in hidden]
    index = {key: i for i, key in enumerate(unknown)}
    rows = []
    for node in nodes:
        if not node.children:
            continue
        row = np.zeros(len(unknown))
        if node.key in index:
            row[index[node.key]] += 1
        for child in node.children:
            if child.key in index:
                row[index[child.key]] -= 1
        if row.any():
            rows.append(row)
    if not unknown:
        return set()
    matrix = np.array(rows) if rows else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    found = set()
    for key, i in index.items():
        unit = np.zeros(len(unknown))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(key)
    return found


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_small_group_is_shown_or_derivable(root):
    hidden = suppress(root, K)
    nodes = list(all_nodes(root))
    assert [n.key for n in nodes if n.n < K and n.key not in hidden] == []
    assert derivable(root, hidden) == set()


@settings(max_examples=200, deadline=None)
@given(trees())
def test_a_hidden_node_hides_its_subtree_and_hidden_siblings_hold_at_least_k(root):
    hidden = suppress(root, K)
    for node in all_nodes(root):
        if node.key in hidden:
            assert [c.key for c in node.children if c.key not in hidden] == []
        else:
            masked = [c for c in node.children if c.key in hidden]
            assert masked == [] or (len(masked) >= 2 and sum(c.n for c in masked) >= K)


def test_complementary_suppression_hides_the_smallest_sibling():
    groups = [Node(("c", "end_users"), 40), Node(("c", "business"), 3), Node(("c", "it"), 7)]
    root = Node(("c", "total"), 50, groups)
    assert suppress(root, K) == {("c", "business"), ("c", "it")}


def test_large_groups_stay_visible():
    groups = [Node(("c", "end_users"), 40), Node(("c", "business"), 6), Node(("c", "it"), 7)]
    assert suppress(Node(("c", "total"), 53, groups), K) == set()


def test_small_total_hides_everything():
    groups = [Node(("c", "end_users"), 2), Node(("c", "business"), 1)]
    assert suppress(Node(("c", "total"), 3, groups), K) == {
        ("c", "total"),
        ("c", "end_users"),
        ("c", "business"),
    }
