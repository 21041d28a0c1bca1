"""template.yaml as the local cloud reads it: CloudFormation YAML, the SAM transform, intrinsics.

The same template that `sam deploy` sends to AWS is transformed here with aws-sam-translator and
created in moto's CloudFormation; this module holds the pieces that need no AWS at all.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

Template = dict[str, Any]

_SHORT_TAGS = (
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "And",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "Condition",
)


# libyaml's loader when PyYAML has it: the pure-Python one takes a second over template.yaml,
# and every test deploys the stack.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """YAML with CloudFormation's short forms (!Ref, !GetAtt, !Sub …) read as their long forms."""


def _construct(tag: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type,unused-ignore]
        if tag == "Ref":
            return {"Ref": value}
        if tag == "GetAtt":
            return {"Fn::GetAtt": value.split(".", 1) if isinstance(value, str) else value}
        if tag == "Condition":
            return {"Condition": value}
        return {f"Fn::{tag}": value}

    return construct


for _tag in (*_SHORT_TAGS, "Ref", "GetAtt"):
    _CloudFormationLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load_template(path: Path) -> Template:
    """The template as a fresh dict (callers change theirs), read once while the file is unchanged."""
    loaded: Template = json.loads(_template_json(str(path), path.stat().st_mtime_ns))
    return loaded


@functools.lru_cache(maxsize=4)
def _template_json(path: str, _modified: int) -> str:
    loaded = yaml.load(Path(path).read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return json.dumps(loaded)


def sam_transform(template: Template, parameters: dict[str, str], region: str) -> Template:
    """Apply the SAM transform as CloudFormation would (aws-sam-translator needs a region set)."""
    import os

    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", region)

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    transformed: Template = transform(template, parameters, _NoManagedPolicies())
    return transformed


def with_code_in_bucket(template: Template, bucket: str) -> Template:
    """Each CodeUri / ContentUri as `sam deploy` leaves it: an object in the artefacts bucket."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for uri_property in ("CodeUri", "ContentUri"):
            if uri_property in properties:
                properties[uri_property] = f"s3://{bucket}/{logical_id}.zip"
    return template


def deployed_form(root: Path, region: str = "eu-west-2") -> Template:
    """template.yaml as CloudFormation receives it from `sam deploy`, for checkers to read.

    What SAM generates from a resource (a function's URL, its permissions and event source
    mappings) carries that resource's checkov skips, whose reasons are written beside it."""
    source = load_template(root / "template.yaml")
    transformed = sam_transform(with_code_in_bucket(source, "artefacts"), {}, region)
    written = {
        logical_id: resource["Metadata"]["checkov"]
        for logical_id, resource in load_template(root / "template.yaml")["Resources"].items()
        if "checkov" in resource.get("Metadata", {})
    }
    for logical_id, resource in transformed["Resources"].items():
        metadata = resource.setdefault("Metadata", {})
        origins = [source_id for source_id in written if logical_id.startswith(source_id)]
        if "checkov" not in metadata and origins:
            metadata["checkov"] = written[max(origins, key=len)]
    return transformed


NO_VALUE = object()  # AWS::NoValue: the property is left out


class Resolver:
    """Resolves the intrinsic functions the template uses, against a deployed stack."""

    def __init__(
        self,
        parameters: dict[str, str],
        pseudo: dict[str, str],
        physical_ids: dict[str, str],
        attributes: dict[tuple[str, str], str],
        conditions: dict[str, Any] | None = None,
    ) -> None:
        self.names = {**parameters, **pseudo, **physical_ids}
        self.attributes = attributes
        self.conditions = conditions or {}  # the template's Conditions, evaluated when used

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return NO_VALUE if value["Ref"] == "AWS::NoValue" else self.names[value["Ref"]]
        if set(value) == {"Fn::If"}:
            condition, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.holds(condition) else when_false)
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.attributes[(logical_id, attribute)]
        if set(value) == {"Fn::Sub"}:
            return self._sub(value["Fn::Sub"])
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(p)) for p in parts)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def holds(self, condition: str) -> bool:
        """A condition of the template (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)."""
        return bool(self._truth(self.conditions[condition]))

    def _truth(self, spec: Any) -> Any:
        if not isinstance(spec, dict):
            return spec
        ((function, arguments),) = spec.items()
        if function == "Condition":
            return self.holds(arguments)
        if function == "Fn::Equals":
            left, right = (self._truth(self.resolve(a)) for a in arguments)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self._truth(arguments[0])
        if function == "Fn::And":
            return all(self._truth(a) for a in arguments)
        if function == "Fn::Or":
            return any(self._truth(a) for a in arguments)
        return self.resolve(spec)

    def _sub(self, spec: Any) -> str:
        text, variables = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.attributes[(logical_id, attribute)]
            return self.names[name]

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)


if __name__ == "__main__":  # make validate: the deployed form, for checkov
    print(json.dumps(deployed_form(Path(sys.argv[1] if len(sys.argv) > 1 else ".")), indent=1))
