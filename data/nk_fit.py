#!/usr/bin/env python3
"""Summary statistics behind the North Korea defaults (docs/model.md, "Calibration").

Reads data/nk_missile_launches_monthly.csv and prints, for the periods the model reads as the
three regimes, the monthly mean, variance, share of zero months, the method-of-moments
negative-binomial dispersion k = mean^2 / (variance - mean) and the maximum-likelihood k
(the mean's MLE is the sample mean; k is found on a log grid). Then the expected regime
durations and the stationary distribution of the default transition matrix.

Standard library only: python3 data/nk_fit.py
"""
import csv
import math
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = list(csv.DictReader(open(os.path.join(HERE, "nk_missile_launches_monthly.csv"))))
BY_YEAR = {}
for r in ROWS:
    BY_YEAR.setdefault(int(r["month"][:4]), []).append(int(r["missiles_launched"]))

PERIODS = {
    "engagement (2018)": [2018],
    "testing (2014-2017, 2019)": [2014, 2015, 2016, 2017, 2019],
    "low testing (2012-2013, 2020-2021, 2025)": [2012, 2013, 2020, 2021, 2025],
    "all non-surge, non-2018 (2012-2017, 2019-2021)": [2012, 2013, 2014, 2015, 2016, 2017, 2019, 2020, 2021],
    "surge (2022-2024)": [2022, 2023, 2024],
    "record year (2022)": [2022],
}


def nb_loglik(ys, mu, k):
    ll = 0.0
    for y in ys:
        ll += (math.lgamma(y + k) - math.lgamma(k) - math.lgamma(y + 1)
               + k * math.log(k / (k + mu)) + y * math.log(mu / (k + mu)))
    return ll


def nb_mle_k(ys):
    mu = statistics.mean(ys)
    if mu == 0:
        return float("nan")
    grid = [math.exp(x / 100.0) for x in range(-500, 500)]
    return max(grid, key=lambda k: nb_loglik(ys, mu, k))


def main():
    print(f"{'period':48} {'n':>3} {'mean':>6} {'var':>6} {'zero':>5} {'k_mom':>6} {'k_mle':>6}")
    for name, years in PERIODS.items():
        ys = [y for yr in years for y in BY_YEAR[yr]]
        m, v = statistics.mean(ys), statistics.pvariance(ys)
        k_mom = m * m / (v - m) if v > m else float("inf")
        zero = sum(1 for y in ys if y == 0) / len(ys)
        print(f"{name:48} {len(ys):3} {m:6.2f} {v:6.2f} {zero:5.2f} {k_mom:6.2f} {nb_mle_k(ys):6.2f}")

    # Default transition matrix (src/scenario/defaults.rs), rows = from, columns = to.
    p = [[0.95, 0.04, 0.01], [0.02, 0.93, 0.05], [0.01, 0.07, 0.92]]
    names = ["engagement", "testing", "surge"]
    print("\nexpected stay (months):", {n: round(1 / (1 - p[i][i]), 1) for i, n in enumerate(names)})
    pi = [1 / 3] * 3
    for _ in range(10_000):
        pi = [sum(pi[i] * p[i][j] for i in range(3)) for j in range(3)]
    print("stationary distribution:", {n: round(pi[i], 3) for i, n in enumerate(names)})
    means = [0.1, 1.4, 5.0]
    print("implied long-run mean launches/month:", round(sum(a * b for a, b in zip(pi, means)), 2))
    all_ys = [int(r["missiles_launched"]) for r in ROWS if int(r["month"][:4]) <= 2025]
    print("observed mean 2012-2025:", round(statistics.mean(all_ys), 2))


if __name__ == "__main__":
    main()
