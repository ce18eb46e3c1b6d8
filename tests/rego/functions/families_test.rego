# One test per family of OPA built-in functions that site rules rely on, with the results
# OPA documents for them. `vmyard policy test tests/rego/functions` runs these.
package vmyard.functions

import rego.v1

# Regular expressions are Go RE2: Perl classes, word boundaries and Unicode classes.
test_regex_perl_classes if {
	regex.match(`\bvirtio\b`, "nic virtio scsi")
	not regex.match(`\bvirtio\b`, "virtio_scsi")
	regex.match(`^\w+\d\s`, "disk1 boot")
	regex.match(`^\S+$`, "no-spaces")
	regex.match(`^\D+$`, "letters")
	regex.match(`^\W$`, "-")
}

test_regex_unicode_classes if {
	regex.match(`^\pL+$`, "Überwachung")
	regex.match(`^\p{Greek}+$`, "λόγος")
	not regex.match(`^\p{Greek}+$`, "logos")
	regex.match(`^[[:alpha:]]+$`, "abc")
	regex.match(`(?i)^RHEL`, "rhel_8x64")
}

test_regex_functions if {
	regex.is_valid(`\d+`)
	not regex.is_valid(`(`)
	regex.split(`\s*,\s*`, "a , b,c") == ["a", "b", "c"]
	regex.replace("vm-01-old", `-\d+`, "") == "vm-old"
	regex.find_n(`\d+`, "a1b22c333", 2) == ["1", "22"]
	regex.find_all_string_submatch_n(`(\w)=(\d)`, "a=1 b=2", -1) == [["a=1", "a", "1"], ["b=2", "b", "2"]]
	regex.template_match("urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")
}

# A pattern RE2 refuses is an error, never a quiet "no match".
test_regex_backreference_is_refused if {
	not regex.is_valid(`(a)\1`)
}

test_strings if {
	concat(",", ["a", "b"]) == "a,b"
	contains("rhel_8x64", "8x")
	startswith("rhel_8x64", "rhel")
	endswith("rhel_8x64", "x64")
	lower("AbC") == "abc"
	upper("AbC") == "ABC"
	replace("a-b-c", "-", "_") == "a_b_c"
	split("a,b", ",") == ["a", "b"]
	sprintf("%s has %d disks", ["vm1", 3]) == "vm1 has 3 disks"
	substring("abcdef", 1, 3) == "bcd"
	trim_space("  a  ") == "a"
	trim("xxaxx", "x") == "a"
	trim_left("xxa", "x") == "a"
	trim_right("axx", "x") == "a"
	trim_prefix("rhel_8", "rhel_") == "8"
	trim_suffix("disk.qcow2", ".qcow2") == "disk"
	indexof("abc", "c") == 2
	indexof_n("abab", "b") == [1, 3]
	format_int(255, 16) == "ff"
	strings.replace_n({"a": "1", "b": "2"}, "ab") == "12"
	strings.reverse("abc") == "cba"
	strings.any_prefix_match("rhel_8", ["win", "rhel"])
	strings.any_suffix_match("disk.raw", [".qcow2", ".raw"])
}

test_time if {
	time.parse_rfc3339_ns("2024-01-02T03:04:05Z") == 1704164645000000000
	time.date(1704164645000000000) == [2024, 1, 2]
	time.clock(1704164645000000000) == [3, 4, 5]
	time.weekday(1704164645000000000) == "Tuesday"
	time.add_date(1704164645000000000, 0, 1, 0) == 1706843045000000000
	time.parse_duration_ns("1h30m") == 5400000000000
	time.now_ns() > 1704164645000000000
	time.diff(1706843045000000000, 1704164645000000000) == [0, 1, 0, 0, 0, 0]
	time.format(1704164645000000000) == "2024-01-02T03:04:05Z"
	time.parse_ns("2006-01-02", "2024-01-02") == 1704153600000000000
}

test_net_cidr if {
	net.cidr_contains("10.0.0.0/8", "10.1.2.3")
	not net.cidr_contains("10.0.0.0/8", "11.0.0.1")
	net.cidr_contains("fd00::/8", "fd00::1")
	net.cidr_intersects("10.0.0.0/8", "10.1.0.0/16")
	net.cidr_is_valid("192.168.0.0/24")
	not net.cidr_is_valid("192.168.0.0/33")
	not net.cidr_intersects("10.0.0.0/8", "11.0.0.0/8")
	# OPA gives a set, vmyard an array (see the README): membership reads the same.
	"192.168.0.1" in net.cidr_expand("192.168.0.0/31")
	count(net.cidr_expand("192.168.0.0/30")) == 4
}

test_glob if {
	glob.match("*.example.com", ["."], "vm.example.com")
	not glob.match("*.example.com", ["."], "a.vm.example.com")
	glob.match("**.example.com", ["."], "a.vm.example.com")
	glob.quote_meta("*.com") == `\*.com`
}

test_semver if {
	semver.compare("4.4.10", "4.5.0") == -1
	semver.compare("4.5.0", "4.5.0") == 0
	semver.is_valid("4.4.10")
	not semver.is_valid("4.4")
}

test_units if {
	units.parse_bytes("1KiB") == 1024
	units.parse_bytes("1KB") == 1000
	units.parse_bytes("2G") == 2000000000
	units.parse("1k") == 1000
	units.parse("10m") == 0.01
}

test_json_and_yaml if {
	json.marshal({"a": [1, true]}) == `{"a":[1,true]}`
	json.unmarshal(`{"a": [1, true]}`) == {"a": [1, true]}
	json.is_valid(`{"a": 1}`)
	not json.is_valid(`{"a": `)
	json.filter({"a": {"b": 1, "c": 2}}, ["a/b"]) == {"a": {"b": 1}}
	json.remove({"a": {"b": 1, "c": 2}}, ["a/b"]) == {"a": {"c": 2}}
	json.patch({"a": 1}, [{"op": "add", "path": "/b", "value": 2}]) == {"a": 1, "b": 2}
	yaml.unmarshal("a: 1\nb: [x, y]\n") == {"a": 1, "b": ["x", "y"]}
	yaml.is_valid("a: 1")
	yaml.unmarshal(yaml.marshal({"a": [1, "x"]})) == {"a": [1, "x"]}
}

test_objects_and_arrays if {
	object.get({"a": 1}, "b", "none") == "none"
	object.get({"a": {"b": 2}}, ["a", "b"], 0) == 2
	object.keys({"a": 1, "b": 2}) == {"a", "b"}
	object.remove({"a": 1, "b": 2}, ["a"]) == {"b": 2}
	object.filter({"a": 1, "b": 2}, ["a"]) == {"a": 1}
	object.union({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}
	object.union_n([{"a": 1}, {"a": 2}]) == {"a": 2}
	object.subset({"a": 1, "b": 2}, {"a": 1})
	array.concat([1], [2]) == [1, 2]
	array.slice([1, 2, 3], 1, 2) == [2]
	array.reverse([1, 2, 3]) == [3, 2, 1]
}

test_crypto_hashes if {
	crypto.md5("abc") == "900150983cd24fb0d6963f7d28e17f72"
	crypto.sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"
	crypto.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	crypto.hmac.sha256("what do ya want for nothing?", "Jefe") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	crypto.hmac.equal("ab", "ab")
}

test_base64_and_hex if {
	base64.encode("vmyard") == "dm15YXJk"
	base64.decode("dm15YXJk") == "vmyard"
	base64.is_valid("dm15YXJk")
	base64url.encode("\u00ff\u00fe") == "w7_Dvg=="
	base64url.encode_no_pad("\u00ff\u00fe") == "w7_Dvg"
	base64url.decode("w7_Dvg==") == "\u00ff\u00fe"
	hex.encode("vm") == "766d"
	hex.decode("766d") == "vm"
}
