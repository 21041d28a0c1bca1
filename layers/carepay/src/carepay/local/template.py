"""template.yaml as the local cloud reads it: CloudFormation YAML, the SAM transform, intrinsics.

The same template that `sam deploy` sends to AWS is transformed here with aws-sam-translator and
created in moto's CloudFormation; this module holds the pieces that need no AWS at all.
"""

from __future__ import annotations

import re
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


class _CloudFormationLoader(yaml.SafeLoader):
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
    loaded = yaml.load(path.read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return loaded


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


class Resolver:
    """Resolves the intrinsic functions the template uses, against a deployed stack."""

    def __init__(
        self,
        parameters: dict[str, str],
        pseudo: dict[str, str],
        physical_ids: dict[str, str],
        attributes: dict[tuple[str, str], str],
    ) -> None:
        self.names = {**parameters, **pseudo, **physical_ids}
        self.attributes = attributes

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.names[value["Ref"]]
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.attributes[(logical_id, attribute)]
        if set(value) == {"Fn::Sub"}:
            return self._sub(value["Fn::Sub"])
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(p)) for p in parts)
        return {k: self.resolve(v) for k, v in value.items()}

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
