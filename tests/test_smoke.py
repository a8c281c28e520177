import srcgrad
from examples.goldstein import goldstein


def test_goldstein_gradient_at_1_1_matches_the_seed():
    assert srcgrad.grad(goldstein, wrt=(0, 1))(1.0, 1.0) == (-5376.0, 8064.0)


def test_goldstein_matches_central_differences(check):
    for x, y in [(1.0, 1.0), (0.3, -0.7), (-1.2, 0.4)]:
        check(goldstein, x, y, rtol=1e-6, atol=1e-3)
