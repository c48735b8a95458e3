"""Independent reference for relativeDeficitInterval: the exact posterior quantiles, by integration.

Under the Dirichlet(a+1/2, b+1/2, c+1/2, d+1/2) posterior, with q = the first three cells renormalised,
W = q_a + q_b ~ Beta(a+b+1, c+1/2) and V = q_b / W ~ Beta(b+1/2, a+1/2) independently, and
RD = (q_b - q_c) / (q_a + q_b) = V - (1 - W) / W. So P(RD <= t) = integral of F_V(t + (1-w)/w) f_W(w) dw:
one numerical integral (scipy.integrate.quad) and a root search (brentq), no sampling.
Reads [[a, b, c, d], ...] as JSON on stdin; prints [[low, high], ...] (95%, equal-tailed).
"""
import json
import sys

from scipy import integrate, optimize, stats


def cdf(t, a, b, c):
    w_dist = stats.beta(a + b + 1.0, c + 0.5)
    v_dist = stats.beta(b + 0.5, a + 0.5)
    value, _ = integrate.quad(lambda w: v_dist.cdf(t + (1 - w) / w) * w_dist.pdf(w), 0, 1, limit=200, epsabs=1e-9)
    return value


def quantile(p, a, b, c):
    return optimize.brentq(lambda t: cdf(t, a, b, c) - p, -100.0, 1.0, xtol=1e-8)


out = []
for a, b, c, d in json.load(sys.stdin):
    out.append([quantile(0.025, a, b, c), quantile(0.975, a, b, c)])
print(json.dumps(out))
