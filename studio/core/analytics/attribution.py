"""Multi-touch attribution: who gets the credit for a conversion.

Input is a journeys file in one of two shapes:
  paths   one row per distinct path, `facebook > search > email`, with counts of conversions,
          optionally conversion value and journeys that did not convert (nulls);
  touches one row per touch: journey or user id, timestamp, channel, conversion (0/1 or count),
          optionally value. A conversion ends a journey; the id's later touches start a new one.

Models: first touch, last touch, linear, time decay, position based (40/20/40), Markov chain
(order 1-3, removal effect) and Shapley values (Zhao et al. 2018, unordered and ordered).
Each returns an `Attribution`: channel -> attributed conversions and value.

Everything is vectorized over a flat array of touches, so a million journeys take a fraction
of a second. The Markov model solves the absorbing chain exactly instead of simulating it as
`channelattribution` does: a channel's removal effect 1 - P(conv without it) / P(conv) equals
the share of converting journeys that pass through it, which is what that package estimates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import spsolve

from studio.core.analytics.csv_files import column_separator, decode, norm, numbers, pick
from studio.core.errors import BadInput

PATH_SEPARATORS = (">", "→", "|", ",")  # not "/": channels are often source / medium
# accepted header names, compared lower-case with spaces and dashes as underscores
PATH_COLUMNS = ("path", "paths", "journey", "channel_path", "touchpoints")
CONVERSION_COLUMNS = ("total_conversions", "conversions", "conversion", "conv", "converted", "conversion_count")
VALUE_COLUMNS = ("total_conversion_value", "conversion_value", "value", "revenue", "conv_value")
NULL_COLUMNS = ("total_null", "null", "nulls", "total_nulls", "non_conversions", "no_conversion")
ID_COLUMNS = ("id", "journey_id", "user_id", "user", "cookie", "client_id", "visitor_id")
TIME_COLUMNS = ("timestamp", "time", "datetime", "date", "touch_time", "event_time")
CHANNEL_COLUMNS = ("channel", "touchpoint", "source", "medium", "channel_name")
HALF_LIFE = {"touches": 1.0, "days": 7.0}
MODELS = ("first", "last", "linear", "time_decay", "position", "markov", "shapley")


@dataclass(frozen=True)
class Journeys:
    """Journeys as flat arrays: the touches of journey 0, then of journey 1, and so on."""

    channels: tuple[str, ...]
    touches: np.ndarray  # channel index of each touch
    lengths: np.ndarray  # touches per journey (>= 1)
    conversions: np.ndarray  # per journey (a row of a paths file may stand for many journeys)
    value: np.ndarray
    nulls: np.ndarray
    ages: np.ndarray  # per touch: how long before the journey's last touch, in `age_unit`
    age_unit: str = "touches"

    @property
    def journey_of_touch(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.lengths)), self.lengths)

    @property
    def starts(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.lengths)[:-1])).astype(np.int64)

    @classmethod
    def from_paths(cls, paths, conversions, value=None, nulls=None, sep: str = ">") -> Journeys:
        """Paths like `a > b > c` with per-path counts; identical paths are summed first."""
        paths = pd.Series(paths, dtype=object).astype(str)
        codes, uniques = pd.factorize(paths)
        n = len(uniques)

        def summed(column) -> np.ndarray:
            if column is None:
                return np.zeros(n)
            return np.bincount(codes, weights=np.asarray(column, dtype=float), minlength=n)

        # one split of all distinct paths joined together is far faster than splitting row by row;
        # a unit separator marks where each path starts. Spaces are stripped on the few distinct
        # raw tokens, and empty ones (`a > > b`) dropped.
        raw_ids, raw_tokens = pd.factorize(np.asarray((sep + "\x1f").join(uniques.tolist()).split(sep), dtype=object))
        starts_path = np.fromiter((t.startswith("\x1f") for t in raw_tokens), bool, len(raw_tokens))[raw_ids]
        starts_path[0] = True
        stripped_ids, channels = pd.factorize(np.asarray([t.lstrip("\x1f").strip() for t in raw_tokens], dtype=object))
        ids = stripped_ids[raw_ids]
        path_of_token = np.cumsum(starts_path) - 1
        empty = np.flatnonzero(channels == "")
        if len(empty):  # drop the empty channel and renumber the ones after it
            filled = ids != empty[0]
            channels = np.delete(channels, empty[0])
            ids, path_of_token = ids[filled], path_of_token[filled]
            ids = ids - (ids > empty[0])
        lengths = np.bincount(path_of_token, minlength=n)
        if (lengths == 0).any():
            raise BadInput(f"{int((lengths == 0).sum())} path(s) have no channel in them (for example "
                           f"“{uniques[int(np.argmax(lengths == 0))]}”). Remove empty paths and try again.")
        return cls._build(tuple(channels), ids, lengths, summed(conversions), summed(value), summed(nulls))

    @classmethod
    def from_touches(cls, frame: pd.DataFrame, id: str = "id", timestamp: str = "timestamp", channel: str = "channel",
                     conversion: str = "conversion", value: str | None = None) -> Journeys:
        """One row per touch. A touch with a conversion closes its journey; ages are in days."""
        times = pd.to_datetime(frame[timestamp], errors="coerce", utc=True)
        if times.isna().any():
            bad = np.flatnonzero(times.isna().to_numpy())[:5] + 2
            raise BadInput(f"Cannot read the {timestamp!r} of row(s) {', '.join(map(str, bad))} as a date and time. "
                           "Write timestamps as 2026-03-01 14:05 (ISO 8601).")
        conv = numbers(frame[conversion], conversion)
        touches = pd.DataFrame({"id": frame[id].astype(str).to_numpy(), "t": times.to_numpy(),
                                "channel": frame[channel].astype(str).str.strip().to_numpy(), "conv": conv,
                                "value": numbers(frame[value], value) if value else 0.0})
        touches = touches.sort_values(["id", "t"], kind="stable").reset_index(drop=True)
        # a journey ends at (and includes) a converting touch
        converting = touches["conv"] > 0
        closed_before = converting.groupby(touches["id"], sort=False).cumsum() - converting
        journey = touches.groupby([touches["id"], closed_before], sort=False).ngroup().to_numpy()
        order = np.argsort(journey, kind="stable")
        touches, journey = touches.iloc[order].reset_index(drop=True), journey[order]
        lengths = np.bincount(journey)
        conversions = np.bincount(journey, weights=touches["conv"].to_numpy(float))
        last_time = touches.groupby(journey)["t"].transform("max")
        ages = ((last_time - touches["t"]).dt.total_seconds() / 86400.0).to_numpy()
        ids, channels = pd.factorize(touches["channel"])
        return cls._build(tuple(channels), ids, lengths, conversions,
                          np.bincount(journey, weights=touches["value"].to_numpy(float)),
                          (conversions == 0).astype(float), ages=ages, age_unit="days")

    @classmethod
    def _build(cls, channels, touches, lengths, conversions, value, nulls, ages=None, age_unit="touches") -> Journeys:
        touches = np.asarray(touches, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if ages is None:  # steps before the last touch
            ends = np.cumsum(lengths)
            ages = (np.repeat(ends, lengths) - 1 - np.arange(len(touches))).astype(float)
        return cls(channels, touches, lengths, np.asarray(conversions, float), np.asarray(value, float),
                   np.asarray(nulls, float), np.asarray(ages, float), age_unit)


@dataclass(frozen=True)
class Attribution:
    """Attributed conversions and value per channel, with model-specific extras."""

    model: str
    table: pd.DataFrame  # index: channel; columns: conversions, value (+ removal_effect for Markov)
    by_position: pd.DataFrame | None = field(default=None)  # ordered Shapley: channel x position

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {str(ch): {"conversions": float(row.conversions), "value": float(row.value)}
                for ch, row in self.table.iterrows()}


# ---- reading files ----------------------------------------------------------------------------

def read_journeys(path: Path | str, sep: str | None = None) -> Journeys:
    """Read a paths or touches file; `sep` is the separator inside paths (found when None)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"Cannot read the journeys file {path}: {exc.strerror or exc}.") from exc
    text = decode(raw)
    if not text.strip():
        raise BadInput(f"The journeys file {path.name} is empty. Export journeys with a header row "
                       "(path, conversions, value, nulls) and at least one row.")
    delimiter = column_separator(text, path)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, engine="c")
    except pd.errors.ParserError as exc:
        raise BadInput(f"{path.name} is not a consistent table: {str(exc).strip()}. "
                       "Check that line for stray separators or a cut-off export.") from exc
    frame.columns = [norm(c) for c in frame.columns]
    if frame.empty:
        raise BadInput(f"The journeys file {path.name} has a header but no rows.")
    columns = set(frame.columns)
    if pick(columns, PATH_COLUMNS):
        return _read_paths(frame, path, sep)
    if pick(columns, CHANNEL_COLUMNS):
        return _read_touches(frame, path)
    raise BadInput(f"{path.name} has neither a path column nor a channel column (found: {', '.join(frame.columns)}). "
                   f"Name the path column one of {', '.join(PATH_COLUMNS)}, or give one row per touch with "
                   f"{ID_COLUMNS[0]}, {TIME_COLUMNS[0]}, {CHANNEL_COLUMNS[0]} and {CONVERSION_COLUMNS[2]} columns.")


def _read_paths(frame: pd.DataFrame, path: Path, sep: str | None) -> Journeys:
    columns = set(frame.columns)
    path_col = pick(columns, PATH_COLUMNS)
    conv_col = pick(columns, CONVERSION_COLUMNS)
    if conv_col is None:
        raise BadInput(f"{path.name} has paths but no conversions column (found: {', '.join(frame.columns)}). "
                       f"Name it one of {', '.join(CONVERSION_COLUMNS)}.")
    value_col, null_col = pick(columns, VALUE_COLUMNS), pick(columns, NULL_COLUMNS)
    paths = frame[path_col]
    sep = sep or _path_separator(paths, path)
    return Journeys.from_paths(paths, numbers(frame[conv_col], conv_col),
                               numbers(frame[value_col], value_col) if value_col else None,
                               numbers(frame[null_col], null_col) if null_col else None, sep=sep)


def _read_touches(frame: pd.DataFrame, path: Path) -> Journeys:
    columns = set(frame.columns)
    found = {role: pick(columns, names) for role, names in
             (("id", ID_COLUMNS), ("timestamp", TIME_COLUMNS), ("conversion", CONVERSION_COLUMNS))}
    missing = [role for role, col in found.items() if col is None]
    if missing:
        raise BadInput(f"{path.name} looks like one row per touch but has no {' or '.join(missing)} column "
                       f"(found: {', '.join(frame.columns)}). Touch files need id, timestamp, channel and conversion.")
    return Journeys.from_touches(frame, channel=pick(columns, CHANNEL_COLUMNS), value=pick(columns, VALUE_COLUMNS),
                                 **found)


def _path_separator(paths: pd.Series, path: Path) -> str:
    sample = paths.head(2000)
    for sep in PATH_SEPARATORS:
        if sample.str.contains(sep, regex=False).mean() >= 0.05:
            return sep
    # no known separator: single-channel paths are fine, odd punctuation in most paths is not
    odd = sample.str.extract(r"([^\w\s.\-&()'+])", expand=False).dropna()
    if len(odd) and len(odd) >= 0.5 * len(sample):
        char = odd.mode().iloc[0]
        raise BadInput(f"The paths in {path.name} seem to be separated by “{char}” (e.g. “{sample.iloc[0][:60]}”), "
                       f"which is not a path separator we know ({' '.join(PATH_SEPARATORS)}). "
                       "Write paths as “facebook > search > email”, or give the separator explicitly.")
    return ">"


# ---- rule-based models --------------------------------------------------------------------------

def _credit(j: Journeys, weights: np.ndarray, model: str) -> Attribution:
    """Share each journey's conversions and value over its touches in proportion to `weights`."""
    journey = j.journey_of_touch
    totals = np.bincount(journey, weights=weights, minlength=len(j.lengths))
    share = weights / totals[journey]
    n = len(j.channels)
    conv = np.bincount(j.touches, weights=share * j.conversions[journey], minlength=n)
    value = np.bincount(j.touches, weights=share * j.value[journey], minlength=n)
    return Attribution(model, _table(j.channels, conv, value))


def _table(channels, conversions, value, **extra) -> pd.DataFrame:
    table = pd.DataFrame({"conversions": conversions, "value": value, **extra}, index=pd.Index(channels, name="channel"))
    return table.sort_values("conversions", ascending=False)


def first_touch(j: Journeys) -> Attribution:
    weights = np.zeros(len(j.touches))
    weights[j.starts] = 1.0
    return _credit(j, weights, "first")


def last_touch(j: Journeys) -> Attribution:
    weights = np.zeros(len(j.touches))
    weights[np.cumsum(j.lengths) - 1] = 1.0
    return _credit(j, weights, "last")


def linear(j: Journeys) -> Attribution:
    return _credit(j, np.ones(len(j.touches)), "linear")


def time_decay(j: Journeys, half_life: float | None = None) -> Attribution:
    """Credit halves every `half_life` (in the journeys' age unit: touches, or days for touch files)."""
    half_life = HALF_LIFE[j.age_unit] if half_life is None else half_life
    if half_life <= 0:
        raise BadInput(f"The time-decay half-life must be positive (got {half_life}).")
    return _credit(j, 0.5 ** (j.ages / half_life), "time_decay")


def position_based(j: Journeys, first: float = 0.4, last: float = 0.4) -> Attribution:
    """40 % to the first touch, 40 % to the last, the rest spread over the middle (U-shaped)."""
    if first < 0 or last < 0 or first + last > 1:
        raise BadInput(f"Position-based shares must be >= 0 and add up to at most 1 (got {first} and {last}).")
    length = np.repeat(j.lengths, j.lengths).astype(float)
    position = np.arange(len(j.touches)) - np.repeat(j.starts, j.lengths)
    middle = (1.0 - first - last) / np.maximum(length - 2, 1)
    weights = np.where(position == 0, first, np.where(position == length - 1, last, middle))
    weights = np.where(length == 1, 1.0, weights)
    # two touches: no middle, the first and last shares are scaled to fill the whole credit
    weights = np.where(length == 2, np.where(position == 0, first, last) / (first + last or 1.0), weights)
    return _credit(j, weights, "position")


# ---- Markov chain -------------------------------------------------------------------------------

def markov(j: Journeys, order: int = 1) -> Attribution:
    """Order-k Markov chain over windows of the last k channels, credited by removal effect."""
    if order not in (1, 2, 3):
        raise BadInput(f"The Markov order must be 1, 2 or 3 (got {order}).")
    n = len(j.channels)
    keep = (j.conversions + j.nulls) > 0
    state, members, path_of_state = _window_states(j, order, keep)
    n_states = members.shape[0]
    start, conv, null = 0, n_states + 1, n_states + 2
    first = np.r_[True, path_of_state[1:] != path_of_state[:-1]]
    last = np.r_[path_of_state[1:] != path_of_state[:-1], True]
    weight = (j.conversions + j.nulls)[path_of_state]
    sources = np.where(first, start, np.r_[0, state[:-1]])
    ends = state[last]
    end_paths = path_of_state[last]
    rows = np.concatenate((sources, ends, ends))
    cols = np.concatenate((state, np.full(len(ends), conv), np.full(len(ends), null)))
    counts = np.concatenate((weight, j.conversions[end_paths], j.nulls[end_paths]))
    size = n_states + 3
    matrix = sparse.coo_matrix((counts, (rows, cols)), shape=(size, size)).tocsr()
    out = np.asarray(matrix.sum(axis=1)).ravel()
    out[out == 0] = 1.0
    P = sparse.diags(1.0 / out) @ matrix
    transient = n_states + 1  # start and the channel states
    Q = P[:transient, :transient].tocsc()
    to_conv = P[:transient, conv].toarray().ravel()
    # average value of a conversion reached from each state (as channelattribution draws it)
    conv_from = np.bincount(ends, weights=j.conversions[end_paths], minlength=transient)
    value_from = np.bincount(ends, weights=j.value[end_paths], minlength=transient)
    value_per_conv = np.divide(value_from, conv_from, out=np.zeros(transient), where=conv_from > 0)

    def absorbed(kept: np.ndarray) -> tuple[float, float]:
        visits = _visits(Q, kept)
        return float(visits @ to_conv[kept]), float(visits @ (to_conv * value_per_conv)[kept])

    everything = np.ones(transient, bool)
    p_conv, p_value = absorbed(everything)
    removal = np.zeros(n)
    removal_value = np.zeros(n)
    for channel in range(n):
        kept = everything.copy()
        kept[1:] = ~members[:, channel]
        without, without_value = absorbed(kept)
        removal[channel] = 1.0 - without / p_conv if p_conv > 0 else 0.0
        removal_value[channel] = 1.0 - without_value / p_value if p_value > 0 else 0.0
    conversions = _spread(j.conversions[keep].sum(), removal)
    value = _spread(j.value[keep].sum(), removal_value)
    return Attribution(f"markov_{order}", _table(j.channels, conversions, value, removal_effect=removal))


def _window_states(j: Journeys, order: int, keep: np.ndarray):
    """Each journey as its sequence of k-channel windows (consecutive repeats merged).

    Returns the state id (1-based; 0 is the start) of each window, a states x channels
    membership matrix and the journey each window belongs to."""
    n = len(j.channels)
    lengths = j.lengths
    windows = np.maximum(lengths - order + 1, 1) * keep
    journey = np.repeat(np.arange(len(lengths)), windows)
    offset = np.arange(len(journey)) - np.repeat(np.cumsum(windows) - windows, windows)
    begin = np.repeat(j.starts, windows) + offset
    width = np.minimum(np.repeat(lengths, windows), order)
    key = np.zeros(len(journey), np.int64)
    for step in range(order):
        inside = step < width
        digit = np.where(inside, j.touches[np.minimum(begin + step, len(j.touches) - 1)] + 1, 0)
        key = key * (n + 1) + digit
    repeat = np.r_[False, (key[1:] == key[:-1]) & (journey[1:] == journey[:-1])]
    key, journey, begin, width = key[~repeat], journey[~repeat], begin[~repeat], width[~repeat]
    codes, uniques = pd.factorize(key)
    representative = np.zeros(len(uniques), np.int64)
    representative[codes] = np.arange(len(codes))
    members = np.zeros((len(uniques), n), bool)
    for step in range(order):
        inside = step < width[representative]
        at = np.minimum(begin[representative] + step, len(j.touches) - 1)
        members[np.flatnonzero(inside), j.touches[at][inside]] = True
    return codes + 1, members, journey


def _visits(Q: sparse.csc_matrix, kept: np.ndarray) -> np.ndarray:
    """Expected visits to each kept transient state, starting from state 0 (always kept)."""
    index = np.flatnonzero(kept)
    sub = Q[index][:, index]
    system = (sparse.identity(len(index), format="csc") - sub).T.tocsc()
    rhs = np.zeros(len(index))
    rhs[0] = 1.0
    if len(index) <= 400:
        return np.linalg.solve(system.toarray(), rhs)
    return spsolve(system, rhs)


def _spread(total: float, weights: np.ndarray) -> np.ndarray:
    weights = np.clip(weights, 0.0, None)
    return total * weights / weights.sum() if weights.sum() > 0 else np.zeros_like(weights)


# ---- Shapley ------------------------------------------------------------------------------------

def shapley(j: Journeys, ordered: bool = False, max_coalition: int = 4) -> Attribution:
    """Shapley values of the game v(S) = conversions of journeys whose channels all lie in S.

    For that game the Shapley value has a closed form (Zhao, Mahboobi & Bagheri 2018): each
    journey's conversions are split evenly over its distinct channels, so no 2^n enumeration is
    needed. Journeys keep only their last `max_coalition` distinct channels, as DP6's model does.
    Ordered, the credit is also broken down by the position at which each channel was last seen."""
    if max_coalition < 1:
        raise BadInput(f"The Shapley coalition cap must be at least 1 (got {max_coalition}).")
    journey = j.journey_of_touch
    last_seen = ~pd.DataFrame({"j": journey, "c": j.touches}).duplicated(keep="last").to_numpy()
    idx = np.flatnonzero(last_seen)
    kept_journey = journey[idx]
    count = np.bincount(kept_journey, minlength=len(j.lengths))
    end = np.cumsum(count)
    from_end = np.repeat(end, count) - 1 - np.arange(len(idx))
    idx, kept_journey = idx[from_end < max_coalition], kept_journey[from_end < max_coalition]
    size = np.minimum(count, max_coalition)
    position = size[kept_journey] - 1 - from_end[from_end < max_coalition]
    weights = np.zeros(len(j.touches))
    weights[idx] = 1.0
    result = _credit(j, weights, "shapley_ordered" if ordered else "shapley")
    if not ordered:
        return result
    share = j.conversions[kept_journey] / size[kept_journey]
    by_position = (pd.DataFrame({"channel": np.asarray(j.channels, dtype=object)[j.touches[idx]],
                                 "position": position + 1, "conversions": share})
                   .pivot_table(index="channel", columns="position", values="conversions", aggfunc="sum", fill_value=0.0)
                   .reindex(result.table.index, fill_value=0.0))
    return Attribution(result.model, result.table, by_position)


def attribute(j: Journeys, model: str, *, order: int = 1, half_life: float | None = None,
              ordered: bool = False, max_coalition: int = 4) -> Attribution:
    """Run one model by name (the names the CLI takes)."""
    if model == "markov":
        return markov(j, order)
    if model == "time_decay":
        return time_decay(j, half_life)
    if model == "shapley":
        return shapley(j, ordered=ordered, max_coalition=max_coalition)
    rules = {"first": first_touch, "last": last_touch, "linear": linear, "position": position_based}
    if model not in rules:
        raise BadInput(f"Unknown attribution model {model!r}. Choose one of {', '.join(MODELS)}.")
    return rules[model](j)
