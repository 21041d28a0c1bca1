# Shared by the Makefiles sam build runs (BuildMethod: makefile), so plain `sam build` works as
# well as `make build`. sam runs each one with `--makefile <this project's folder>/…/Makefile`
# from a scratch copy of the folder, with ARTIFACTS_DIR set and nothing else of ours exported:
# the project is found from the Makefile's own path, and the build's tools (uv, Node.js and the
# bytecode compiler) are installed by the project Makefile when they are missing.

CAREPAY_ROOT ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
UV ?= $(or $(shell command -v uv 2>/dev/null),$(CAREPAY_ROOT)/.tools/bin/uv)
NODE ?= $(CAREPAY_ROOT)/.venv/bin/node
# BYTECODE=none skips the CPython 3.13 bytecode (tests build a layer for this machine's Python)
BYTECODE ?= cpython313

define build_tools
	@$(MAKE) --no-print-directory -C "$(CAREPAY_ROOT)" build-tools >/dev/null
endef

define compile_bytecode
	$(if $(filter cpython313,$(BYTECODE)),"$(NODE)" "$(CAREPAY_ROOT)/tools/pyc313/compile313.mjs" "$(1)")
endef

# A function's artefact: its handler and the handler's bytecode (libraries come from the layer).
define function_artefact
	$(build_tools)
	cp app.py "$(ARTIFACTS_DIR)/"
	$(call compile_bytecode,$(ARTIFACTS_DIR))
endef
