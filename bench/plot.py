"""docs/benchmark.svg: CPU per cycle against N, one panel per period and topology (default mode),
one line per server. Plain SVG, no plotting library."""

COLOURS = {"bantam": "#d62728", "jackd2": "#1f77b4", "jackd1": "#2ca02c", "pipewire": "#9467bd"}
W, H, PAD = 360, 260, 48


def _panel(runs, x0, title):
    counts = sorted({r["clients"] for r in runs})
    top = max([r["figures"]["cpu_us_per_cycle"] for r in runs if r["figures"]] + [1]) * 1.1
    sx = lambda n: x0 + PAD + (n - counts[0]) / max(1, counts[-1] - counts[0]) * (W - 2 * PAD)
    sy = lambda v: H - PAD - v / top * (H - 2 * PAD)
    out = ['<text x="%d" y="20" font-size="13" text-anchor="middle">%s</text>' % (x0 + W / 2, title),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0 + PAD, H - PAD, x0 + W - PAD, H - PAD),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0 + PAD, PAD, x0 + PAD, H - PAD)]
    for n in counts:
        out.append('<text x="%.0f" y="%d" font-size="10" text-anchor="middle">%d</text>' % (sx(n), H - PAD + 14, n))
    for i in range(5):
        v = top * i / 4
        out.append('<text x="%d" y="%.0f" font-size="10" text-anchor="end">%.0f</text>' % (x0 + PAD - 4, sy(v) + 3, v))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">clients (N)</text>' % (x0 + W / 2, H - 12))
    for kind, colour in COLOURS.items():
        points = [(r["clients"], r["figures"]["cpu_us_per_cycle"]) for r in runs
                  if r["server"] == kind and r["figures"]]
        if not points:
            continue
        path = " ".join("%.1f,%.1f" % (sx(n), sy(v)) for n, v in sorted(points))
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (colour, path))
        for n, v in points:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (sx(n), sy(v), colour))
    return out


def write_svg(results, path):
    panels = []
    for period in sorted({r["period"] for r in results["runs"]}, reverse=True):
        for topology in ("chain", "wide"):
            runs = [r for r in results["runs"] if r["period"] == period and r["topology"] == topology
                    and (not r["sync"])]
            if runs:
                panels.append((runs, "%d frames, %s: CPU µs per cycle" % (period, topology)))
    width = W * max(1, len(panels))
    body = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">'
            % (width, H + 24), '<rect width="100%" height="100%" fill="white"/>']
    for i, (runs, title) in enumerate(panels):
        body += _panel(runs, i * W, title)
    x = 10
    for kind, colour in COLOURS.items():
        if any(r["server"] == kind for r in results["runs"]):
            body.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, H + 6, colour))
            body.append('<text x="%d" y="%d" font-size="12">%s</text>' % (x + 16, H + 16, kind))
            x += 90
    body.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(body) + "\n")
