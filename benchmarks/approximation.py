"""Acceptance-1 grid of issue 4 (plain script, not collected): for every bundled function, p in {1, 2, 3} and
eps in {1/5, 1/10, 1/20}: width, certified bound <= eps, numeric estimate <= bound, exact error <= bound
(d <= 2 piecewise-polynomial scalar cases where computable; always for the polynomial x1*x2, and --exact-2d-max-n
limits the other 2-D exact runs), and
the trusted check. exact=...* marks a transcendental exact value (odd p, x1*x2: sympy closed form with logs);
there the comparison uses the upper end of its rigorous mpmath interval enclosure (exact <= that <= bound^p).
Usage: python benchmarks/approximation.py [--exact-2d-max-n N]"""

import sys
import time
from fractions import Fraction

from nncert.core import Certificate
from nncert.proofs import check_certificate
from nncert.proofs.claims.p1_approximation import certify_lp, certify_vector

BUMP = "(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2) + abs(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2)))/2"
CASES = [("abs", "abs(x1 - 1/2)", "0:1"), ("sin", "sin(pi*x1)", "0:1"), ("prod", "x1*x2", "0:1,0:1"),
         ("bump", BUMP, "0:1,0:1"), ("vec", ("x1*x2", "abs(x1 - x2)"), "0:1,0:1")]
max_n = int(sys.argv[sys.argv.index("--exact-2d-max-n") + 1]) if "--exact-2d-max-n" in sys.argv else 9
ok_all = True
for name, f, dom in CASES:
    for p in (1, 2, 3):
        for eps in ("1/5", "1/10", "1/20"):
            t0 = time.perf_counter()
            d = dom.count(":")
            if name == "vec":
                cert = certify_vector(f, dom, p, eps, exact=False)
            else:
                probe = certify_lp(f, dom, p, eps, numeric=False, exact=False)
                exact = d == 1 or name == "prod" or int(probe.params["n"]) <= max_n  # prod: the polynomial case
                cert = certify_lp(f, dom, p, eps, exact=exact)
            v = check_certificate(Certificate.loads(cert.dumps()))
            pr, cb = cert.params, cert.checked_by
            bound = Fraction(pr["bound"])
            num = float(cb["numeric"]["estimate"])
            ex = cb.get("exact", {}).get("error")
            if ex is None:
                ex_pth = None
            elif "error_pth_power_enclosure" in cb["exact"]:      # odd p, x1*x2: logs; rigorous upper end
                ex_pth = Fraction(cb["exact"]["error_pth_power_enclosure"][1])
                ex += "*"
            else:
                ex_pth = Fraction(cb["exact"]["error_pth_power"])
            ok = (v.holds and int(pr["width"]) <= int(pr["width_bound"]) and bound <= Fraction(eps)
                  and num <= float(bound) and (ex_pth is None or ex_pth <= bound ** p))
            ok_all &= ok
            print(f"{name:4s} p={p} eps={eps:<5s} n={pr['n']:<3s} width={pr['width']}<={pr['width_bound']} "
                  f"depth={pr['depth']:<4s} bound={float(bound):.4f} numeric={num:.4f} exact={ex or '-':<10s} "
                  f"check={v.status.value} {'OK' if ok else 'FAIL'} ({time.perf_counter() - t0:.1f}s)", flush=True)
print("ALL OK" if ok_all else "SOME FAILED")
