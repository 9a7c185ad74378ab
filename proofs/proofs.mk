# SPDX-License-Identifier: MIT
# `make prove`: the Frama-C WP gate over core/ (see proofs/prove.sh).
PROOF_OUT := $(BUILD)/proofs
.PHONY: prove prove-clean
prove:
	sh proofs/prove.sh $(PROOF_OUT) $(CORE_SRC)
prove-clean:
	rm -rf $(PROOF_OUT)
CHECK_TARGETS += prove
