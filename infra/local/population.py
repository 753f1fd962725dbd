"""Population files for the local stack: the demo people, and the people a tester brings.

``make run ARGS="--population mine.json"`` merges ``mine.json`` over the demo population
(``infra/local/demo/population.json``): a person whose IIN is already known is replaced by
the later file's record, a new one is added. The format is the population registry
fixture's (``chalicelib.gateways.population``); every IIN must be valid, every parent named
must be a person of the merged files, so that a mistake is said at start, not at a refusal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.domain.iin import parse_iin


class PopulationFileError(SystemExit):
    """A population file that cannot be used; the message names the file and the person."""


def merge_population_files(paths: list[Path]) -> dict[str, Any]:
    """The people of every file, by IIN, later files winning; checked."""
    people: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PopulationFileError(f"{path}: not a readable JSON file ({error})") from None
        records = data.get("people") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise PopulationFileError(f'{path}: expected {{"people": [ … ]}}')
        for record in records:
            iin = str(record.get("iin", "")) if isinstance(record, dict) else ""
            try:
                parse_iin(iin)
            except DomainError as error:
                raise PopulationFileError(f"{path}: person {iin or '?'}: {error.ru}") from None
            missing = [name for name in ("surname", "given_name", "address") if not record.get(name)]
            if missing:
                raise PopulationFileError(f"{path}: person {iin}: missing {', '.join(missing)}")
            people[iin] = {"parents": [], **record}
    for iin, record in people.items():
        unknown = [parent for parent in record["parents"] if parent not in people]
        if unknown:
            raise PopulationFileError(f"person {iin}: parents not in any population file: {', '.join(unknown)}")
    return {"people": list(people.values())}
