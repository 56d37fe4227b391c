"""Margins of error: how far a published percentage or mean could be from the village's own.

Standard library only (the runtime may not need scipy). docs/results.md explains every
figure to readers with a worked example.

* Percentages get the **Wilson score interval**: unlike the textbook normal interval
  (p ± 1.96·√(p(1−p)/n)) it never leaves 0-100 % and stays honest for small groups and
  for 0 % and 100 % (3 of 12 gives 9 %-53 %, where the normal interval says 1 %-50 %).
* When the number of households (or residents) ``population`` is known, the
  **finite-population correction** narrows the interval: 150 answers from 400 households tell
  more than 150 from a city. It enters as an effective sample size
  ``n · (N − 1) / (N − n)``, the n for which an infinite population has the same variance;
  when everyone answered (n ≥ N) there is nothing left to estimate and the interval is the
  figure itself.
* Means get the **t-interval** mean ± t(n−1) · s/√n (times the same correction).

Every interval assumes a random sample; self-selection (the keen answer, the busy do not) is
a bias no interval covers, which the report's methods note says in words.
"""

from __future__ import annotations

import math
from statistics import NormalDist

#: The confidence level of every interval unless vliegwiel.toml sets another.
CONFIDENCE_DEFAULT = 0.95


def z_value(confidence: float = CONFIDENCE_DEFAULT) -> float:
    """The two-sided standard normal quantile (1.959964 for 95 %)."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def fpc_factor(n: float, population: int | None) -> float:
    """The finite-population correction of the variance, (N − n) / (N − 1); 1 without N.

    A population smaller than the number of answers (several residents of one household
    answered, or the setting is out of date) cannot be corrected for: then 1.
    """
    if population is None or population <= 1 or n > population:
        return 1.0
    return (population - n) / (population - 1)


def wilson_interval(
    count: int,
    n: int,
    *,
    population: int | None = None,
    confidence: float = CONFIDENCE_DEFAULT,
) -> tuple[float, float] | None:
    """The Wilson score interval for ``count`` of ``n`` as fractions (0..1); None for n = 0."""
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"a count of {count} out of {n} is not a proportion")
    if n == 0:
        return None
    p = count / n
    fpc = fpc_factor(n, population)
    if fpc <= 0:
        return (p, p)  # everyone answered: the figure is the village's own
    n_eff = n / fpc
    z = z_value(confidence)
    z2 = z * z
    denominator = 1 + z2 / n_eff
    centre = (p + z2 / (2 * n_eff)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff))
    return (max(0.0, centre - half), min(1.0, centre + half))


def percent_interval(
    count: int | None,
    n: int | None,
    *,
    population: int | None = None,
    confidence: float = CONFIDENCE_DEFAULT,
) -> tuple[float, float] | None:
    """:func:`wilson_interval` in percent, rounded to one decimal; None when a count is hidden.

    Only ever called with published (protected) counts, so an interval can never tell more
    than the percentage next to it already does.
    """
    if count is None or n is None or n == 0:
        return None
    interval = wilson_interval(count, n, population=population, confidence=confidence)
    if interval is None:
        return None
    low, high = interval
    return (round(100 * low, 1), round(100 * high, 1))


def t_quantile(probability: float, df: int) -> float:
    """The quantile of Student's t distribution with ``df`` degrees of freedom.

    Found by bisection on the distribution function, which comes from the regularised
    incomplete beta function (continued fraction, Numerical Recipes 6.4): exact to 1e-10,
    without scipy.
    """
    if df < 1:
        raise ValueError("a t distribution needs at least one degree of freedom")
    if not 0 < probability < 1:
        raise ValueError("a quantile needs a probability between 0 and 1")
    if probability == 0.5:
        return 0.0
    if probability < 0.5:
        return -t_quantile(1 - probability, df)
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < probability:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if _t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def mean_interval(
    mean: float,
    sd: float,
    n: int,
    *,
    population: int | None = None,
    confidence: float = CONFIDENCE_DEFAULT,
) -> tuple[float, float] | None:
    """The t-interval for a mean of ``n`` answers with sample standard deviation ``sd``.

    None for fewer than two answers (no spread to measure).
    """
    if n < 2:
        return None
    if sd < 0:
        raise ValueError("a standard deviation cannot be negative")
    _check_confidence(confidence)
    t = t_quantile(0.5 + confidence / 2, n - 1)
    half = t * sd / math.sqrt(n) * math.sqrt(fpc_factor(n, population))
    return (mean - half, mean + half)


def _check_confidence(confidence: float) -> None:
    if not 0.5 <= confidence < 1:
        raise ValueError("the confidence level must be at least 0.5 and below 1")


def _t_cdf(t: float, df: int) -> float:
    x = df / (df + t * t)
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result
