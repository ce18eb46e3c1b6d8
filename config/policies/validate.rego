# The entry points of the bundle, in Forklift's layout: rules anywhere in the package add
# to the set `concerns`; `validate` gathers them with the input errors and the version.
package io.konveyor.forklift.ovirt

import rego.v1

# The bundle's own version number, kept for rules written against Forklift. vmyard does not
# rely on it: it versions the bundle by a hash of the rule files, so no edit goes unnoticed.
RULES_VERSION := 1

# Forklift's inventory asks for this document (through the OPA data API) to tell when the
# rules changed: `{"rules_version": N}`, as Forklift's own bundle defines it.
rules_version := {"rules_version": RULES_VERSION}

# Problems with the input document itself, as opposed to concerns about the VM.
errors contains "the input has no VM name" if not is_string(input.name)

errors contains "the input has no VM id" if not is_string(input.id)

validate := {
	"rules_version": RULES_VERSION,
	"errors": errors,
	"concerns": concerns,
}
