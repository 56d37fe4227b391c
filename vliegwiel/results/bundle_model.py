"""What a share bundle holds, as strict pydantic models: read and written by the old bundle
format (share.py) and the Data Package format (datapackage.py) alike."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vliegwiel.core.errors import VliegwielError

Count = Annotated[int, Field(ge=0)] | None
Text = Annotated[str, Field(max_length=2000)]


class BundleError(VliegwielError, ValueError):
    """A bundle that cannot be used; the message says why (English, for logs and the CLI)."""

    code = "bundle"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Manifest(_Strict):
    format: Literal["vliegwiel-bundle"]
    format_version: Literal[1]
    village: Text
    households: Annotated[int, Field(ge=0)] | None
    survey_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    survey_title: Text
    wave: Text | None
    first_response: Annotated[str, Field(max_length=40)] | None
    last_response: Annotated[str, Field(max_length=40)] | None
    respondents: Count
    k: Annotated[int, Field(ge=2, le=1000)]
    created_at: Annotated[str, Field(max_length=40)]
    vliegwiel_version: Annotated[str, Field(max_length=40)]


class OptionResult(_Strict):
    value: Annotated[str, Field(max_length=64)]
    label: Text
    count: Count


class QuestionShare(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    text: Text
    kind: Literal["choice", "number", "matrix", "ranking", "text"]
    hidden: bool
    respondents: Count
    options: Annotated[list[OptionResult], Field(max_length=200)] = []
    mean: float | None = None
    median: float | None = None
    parts: Annotated[list[QuestionShare], Field(max_length=100)] = []


class FindingShare(_Strict):
    label: Text
    value: Text | None
    note: Text = ""


class SummaryShare(_Strict):
    plugin: Annotated[str, Field(max_length=64)]
    title: Text
    findings: Annotated[list[FindingShare], Field(max_length=200)]
    note: Text = ""


class SectionShare(_Strict):
    """A plugin's own part of the bundle (hook ``vliegwiel_share_sections``): published
    numbers only, in the plugin's documented JSON shape; a hidden count is null."""

    plugin: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    title: Text
    data: dict[Annotated[str, Field(max_length=64)], Any]


class ResultsShare(_Strict):
    questions: Annotated[list[QuestionShare], Field(max_length=500)]
    summaries: Annotated[list[SummaryShare], Field(max_length=50)]
    channels: dict[Annotated[str, Field(max_length=20)], Count]
    #: Bundles written before plugins had sections of their own hold none.
    sections: Annotated[list[SectionShare], Field(max_length=50)] = []


class Bundle(_Strict):
    manifest: Manifest
    survey: dict[str, Any]
    results: ResultsShare
