"""Project names for the demo portfolio, as long as real ones.

Real library names run 40-60 characters ("阳山县太平镇龙塘村2025年度乡村振兴驻镇帮镇扶村人居环境
整治提升及农村生活污水处理设施建设（第1批）工程项目"): place, year, programme, the works, a batch
and 工程项目. The demo dresses its short core name ("龙塘村户厕改造") in the same parts, drawn from
an RNG stream of its own, so every other column of the demo stays as it was for the same seed.
"""
from __future__ import annotations

import numpy as np

NAME_STREAM = 18  # the names' own RNG stream: numpy.random.default_rng([seed, NAME_STREAM, chunk])

# How much of a real name each project carries (weights): some stay short, most are long.
PROGRAMMES = ("", "乡村振兴驻镇帮镇扶村", "百县千镇万村高质量发展工程", "广州对口帮扶", "驻镇帮镇扶村")
EXTRAS = ("", "及配套设施建设", "及附属工程", "提升改造", "及农村生活污水处理设施建设", "及周边环境整治提升",
          "及人居环境整治提升配套工程")
BATCHES = ("", "（第1批）", "（第2批）", "（第3批）", "（一期）", "（二期）")
SUFFIXES = ("", "项目", "工程项目", "建设项目")
# Probability that a name carries each part: place prefix, year, programme, extra works, batch, suffix.
PART_P = (0.92, 0.88, 0.85, 0.75, 0.55, 0.92)


def dress(core: list[str], county: list[str], town: list[str], village: list[str | None], year: np.ndarray,
          rng: np.random.Generator) -> list[str]:
    """Long names around each core name; every draw comes from `rng` (the names' own stream)."""
    n = len(core)
    use = rng.random((n, len(PART_P))) < np.array(PART_P)
    programme = rng.integers(1, len(PROGRAMMES), n)
    extra = rng.integers(1, len(EXTRAS), n)
    batch = rng.integers(1, len(BATCHES), n)
    suffix = rng.integers(1, len(SUFFIXES), n)
    names = []
    for i in range(n):
        u = use[i]
        place = f"{county[i]}{town[i]}" if u[0] else ""
        # The core name starts with the village (or town) already; the prefix names the county and town.
        if place and village[i] is None and core[i].startswith(town[i]):
            place = county[i]
        names.append("".join((
            place,
            f"{int(year[i])}年度" if u[1] else "",
            PROGRAMMES[programme[i]] if u[2] else "",
            core[i],
            EXTRAS[extra[i]] if u[3] else "",
            BATCHES[batch[i]] if u[4] else "",
            SUFFIXES[suffix[i]] if u[5] else "",
        )))
    return names
