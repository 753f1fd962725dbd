"""Siblings joined by their parent: "together only" families are placed in one kindergarten or not at all.

A parent may join the applications of siblings — twins and triplets of one cohort, or brothers
and sisters of different cohorts — and choose "together only" (``Candidate.together``) or
"separately allowed". Separately allowed siblings are allocated as any other children. For
"together only" a stable matching with couples may not exist (Roth 1984), so no allocation can
promise one; the rule used instead is a deterministic search that never lets a family jump the
queue:

1. Families are decided one after another, the family whose earliest-registered member
   registered first deciding first (ties: sequence, then application id).
2. A family's *options* are the kindergartens every member chose, in the order of the
   earliest-registered member's preferences (the whole-district switch does not widen them:
   a family goes only where all its members asked to go).
3. For each option K in turn, the allocation is computed with every member's only choice being
   K (families decided earlier keep their kindergarten, families not yet decided stay out). K is
   taken when every member gets a seat there and every family decided earlier still does.
4. A family with a blocked member, members in different districts, no option, or no option that
   works is not offered anything in this run (``blocked = "family_apart"``); its members keep
   their places in the queue and are tried again at the next run.

Fairness to the children behind: a member's seat at K is the seat that member's *own* place in
K's order earns when K is its only choice — in serial mode nobody ahead of that member in the
queue who wanted K goes without for it, in stable mode no blocking pair is created — so a family
takes no seat that any of its members could not take alone; it only gives up seats its members
could have had elsewhere (which then go to the next children). The audit checks both the family
rule and the usual priority (serial) or stability (stable) rule on the decided instance.

Cost: at most (number of families) × (options, ≤ 3) allocations without explanations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from chalicelib.domain.allocation import FAMILY_APART, Candidate

Assign = Callable[[list[Candidate]], dict[str, str]]  # candidates → application id → kindergarten


def families_of(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    """ "Together only" families of two or more members present, each in registration order."""
    families: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.family and candidate.together:
            families[candidate.family].append(candidate)
    return {
        family: sorted(members, key=lambda c: (c.registered_at, c.seq, c.application_id))
        for family, members in families.items()
        if len(members) > 1
    }


def family_options(members: list[Candidate]) -> list[str]:
    """The kindergartens every member chose, in the earliest-registered member's order."""
    if len({(member.region, member.district) for member in members}) != 1:
        return []
    if any(member.blocked for member in members):
        return []
    return [k for k in dict.fromkeys(members[0].preferences) if all(k in member.preferences for member in members)]


def decide_families(candidates: list[Candidate], assign: Assign) -> list[Candidate]:
    """The candidates with each "together only" family placed: its kindergarten, or ``family_apart``."""
    families = families_of(candidates)
    if not families:
        return candidates
    ranked = sorted(families, key=lambda f: (lambda c: (c.registered_at, c.seq, c.application_id, f))(families[f][0]))
    decided: dict[str, str | None] = {}  # family → its kindergarten, or None: not placed in this run

    def instance(trial: dict[str, str | None]) -> list[Candidate]:
        members_of = {m.application_id: f for f, members in families.items() for m in members}
        result = []
        for candidate in candidates:
            family = members_of.get(candidate.application_id)
            if family is None:
                result.append(candidate)
                continue
            kindergarten = trial.get(family)
            if kindergarten is None:  # decided apart, or not decided yet: out of this run
                result.append(replace(candidate, blocked=candidate.blocked or FAMILY_APART))
            else:
                result.append(replace(candidate, family_kindergarten=kindergarten))
        return result

    for family in ranked:
        decided[family] = None
        for kindergarten in family_options(families[family]):
            trial = {**decided, family: kindergarten}
            got = assign(instance(trial))
            placed = [f for f, k in trial.items() if k is not None]
            if all(got.get(m.application_id) == trial[f] for f in placed for m in families[f]):
                decided[family] = kindergarten
                break
    return instance(decided)
