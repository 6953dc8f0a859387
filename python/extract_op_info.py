"""Reduces mlir-tblgen's --dump-json of TianOps.td to what tianc needs at
run time: each tian op's name, summary and whether it is a composite."""

import json
import sys


def main(source: str, target: str) -> None:
    records = json.load(open(source))
    ops = {}
    for name in records["!instanceof"]["Op"]:
        record = records[name]
        dialect = records[record["opDialect"]["def"]]
        if dialect["name"] != "tian":
            continue
        # DeclareOpInterfaceMethods<...> traits are anonymous records: resolve them.
        traits = json.dumps([records.get(t["def"], t) for t in record.get("traits", [])])
        ops[f"tian.{record['opName']}"] = {
            "summary": record.get("summary", ""),
            "composite": "DecomposableOpInterface" in traits,
            "elementwise": "ElementwiseOpInterface" in traits,
        }
    with open(target, "w") as out:
        json.dump(ops, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
