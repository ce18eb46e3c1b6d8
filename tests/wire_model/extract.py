#!/usr/bin/env python3
"""Builds `ovirt-4.x.json`, the model of the oVirt REST API types that `tests/wire_model.rs`
checks every simulator answer against.

The model comes from the engine's own Python SDK, which is generated from the API model
(`ovirt-engine-api-model`): `ovirtsdk4/readers.py` reads every element a type can carry on
the wire (read-only ones too), its attributes (`href`, `id`) and the `rel` of its links;
`ovirtsdk4/writers.py` names the items of each list (`nics` holds `nic`, a host's `nics` hold
`host_nic`). The test uses the committed JSON, so neither it nor CI needs pip. Run this by
hand when the SDK moves on, and commit the output:

    pip download ovirt-engine-sdk-python==4.6.3 --no-deps -d /tmp/sdk
    tar xzf /tmp/sdk/ovirt_engine_sdk_python-4.6.3.tar.gz -C /tmp/sdk
    python3 tests/wire_model/extract.py /tmp/sdk/ovirt_engine_sdk_python-4.6.3/lib/ovirtsdk4 \
        > tests/wire_model/ovirt-4.x.json

Output: `{"sdk": version, "types": {Type: {"element": name, "attributes": {key: kind}, "links":
[rel, ...]}}}` where a kind is `{"scalar": true}`, `{"struct": Type}`, `{"list": Type,
"item": name}` (`{"<name>": [...]}` on the wire) or `{"scalars": true, "item": name}`.
"""

import ast
import json
import os
import re
import sys

SCALAR_READS = {
    "read_string",
    "read_integer",
    "read_boolean",
    "read_decimal",
    "read_date",
    "read_enum",
}
SCALAR_LIST_READS = {
    "read_strings",
    "read_integers",
    "read_booleans",
    "read_decimals",
    "read_dates",
    "read_enums",
}


def readers(source):
    """Per reader class: its type, wire attributes, elements and link rels."""
    tree = ast.parse(source)
    out = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or not cls.name.endswith("Reader"):
            continue
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        if "read_one" not in methods:
            continue
        read_one = ast.unparse(methods["read_one"])
        m = re.search(r"obj = types\.(\w+)\(\)", read_one)
        if not m:
            continue
        entry = {"type": m.group(1), "attributes": {}, "links": []}
        for attr in re.findall(r"reader\.get_attribute\('(\w+)'\)", read_one):
            if attr != "rel":
                entry["attributes"][attr] = {"scalar": True}
        for node in ast.walk(methods["read_one"]):
            if not isinstance(node, ast.If):
                continue
            test = node.test
            if not (
                isinstance(test, ast.Compare)
                and isinstance(test.left, ast.Name)
                and test.left.id == "tag"
                and isinstance(test.comparators[0], ast.Constant)
            ):
                continue
            tag = test.comparators[0].value
            body = node.body[0]
            if tag == "link":
                entry["attributes"]["link"] = {"links": True}
                continue
            if not isinstance(body, ast.Assign) or not isinstance(body.value, ast.Call):
                continue
            target = body.targets[0].attr
            func = body.value.func
            owner, method = ast.unparse(func.value), func.attr
            if owner == "Reader" and method in SCALAR_READS:
                kind = {"scalar": True}
            elif owner == "Reader" and method in SCALAR_LIST_READS:
                kind = {"scalars": True}
            elif method == "read_one":
                kind = {"struct": owner[: -len("Reader")]}
            elif method == "read_many":
                kind = {"list": owner[: -len("Reader")]}
            else:
                raise SystemExit(f"{cls.name}: cannot read {tag}: {ast.unparse(body)}")
            kind["field"] = target
            entry["attributes"][tag] = kind
        if entry["type"] == "Api":
            # The API root links its entry points (`clusters`, `vms/search`, ...), the
            # services of services.py's SystemService, which its reader skips.
            entry["attributes"]["link"] = {"links": True}
        if "_process_link" in methods:
            link = ast.unparse(methods["_process_link"])
            entry["links"] = sorted(set(re.findall(r"rel == '(\w+)'", link)))
        out[cls.name[: -len("Reader")]] = entry
    return out


def elements(source):
    """`Reader.register('<element>', <Reader>.read_one)`: each reader's element name."""
    return {
        reader: element
        for element, reader in re.findall(
            r"Reader\.register\('(\w+)', (\w+)Reader\.read_one\)", source
        )
    }


def writer_items(source):
    """Per writer class: for each list attribute, the element name of its items."""
    out = {}
    for cls in re.split(r"\nclass ", source)[1:]:
        name = cls.split("Writer(", 1)[0]
        items = {}
        for field, item in re.findall(
            r"\w+Writer\.write_many\(obj\.(\w+), writer, '(\w+)', '\w+'\)", cls
        ):
            items[field] = item
        for field, item in re.findall(
            r"for item in obj\.(\w+):\s+if item is not None:\s+Writer\.write_\w+\(writer, '(\w+)'",
            cls,
        ):
            items[field] = item
        out[name] = items
    return out


def main():
    sdk = sys.argv[1]
    read = lambda f: open(os.path.join(sdk, f), encoding="utf-8").read()
    by_reader = readers(read("readers.py"))
    names = elements(read("readers.py"))
    items = writer_items(read("writers.py"))
    version = re.search(r"VERSION = '([^']+)'", read("version.py")).group(1)
    reader_type = {r: e["type"] for r, e in by_reader.items()}
    types = {}
    for reader, entry in sorted(by_reader.items()):
        attributes = {}
        for tag, kind in sorted(entry["attributes"].items()):
            field = kind.pop("field", None)
            if "struct" in kind:
                kind["struct"] = reader_type[kind["struct"]]
            if "list" in kind or "scalars" in kind:
                item = items.get(reader, {}).get(field)
                if item is None and "list" in kind:
                    item = names[kind["list"]]
                if item is None:
                    raise SystemExit(f"{reader}.{tag}: no item name in writers.py")
                kind["item"] = item
                if "list" in kind:
                    kind["list"] = reader_type[kind["list"]]
            attributes[tag] = kind
        types[entry["type"]] = {
            "element": names.get(reader),
            "attributes": attributes,
            "links": entry["links"],
        }
    json.dump({"sdk": version, "types": types}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
