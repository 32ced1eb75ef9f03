"""The grouping of the suite on pytest-xdist workers (conftest.py's pytest_collection_modifyitems).

The hook reads pytest's private item._fixtureinfo to find the tests that share a module-scoped
fixture. If a pytest release changed it, nothing would be grouped and every test would still
pass, only slower: each module's shared build (make spark among them) made on both workers.
These tests fail instead.
"""

import pytest


@pytest.fixture(scope="module")
def shared_by_the_module():
    return object()


def test_a_test_using_a_module_fixture_joins_its_modules_group(request, shared_by_the_module):
    groups = [marker.args for marker in request.node.iter_markers("xdist_group")]
    assert groups == [(request.node.module.__name__,)]


def test_a_test_without_one_is_handed_out_alone(request):
    assert not list(request.node.iter_markers("xdist_group"))
