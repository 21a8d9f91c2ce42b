"""Learned decisions: linear models, fitted on the gold by `pipeline retrain`, that choose among the
candidates the rules propose (which organisation is the victim, which count is the incident's total,
which cause, whether the article reports an incident at all).

The features are code (pipeline/stages/incident.py); the weights are data: `decisions.json` in the
rule folder (stock, fitted on the dev gold) or in the learned folder (written by `pipeline retrain`),
each recording the gold it was fitted on. Applying them needs no learning library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.stages import rules
from pipeline.stages.rules import RuleError, rule_cache

WEIGHTS_FILE = "decisions.json"
DECISIONS = ("is_incident", "victim", "cause", "affected_total")
# The models of "is this answer right?" (one per decision, named `confidence.victim`, ...) whose
# product is a row's `confidence`: optional (weights fitted before them lack them; then an answer
# counts with its choice model's own probability).
CONFIDENCE = "confidence"
CONFIDENCE_MODELS = {decision: f"{CONFIDENCE}.{decision}" for decision in DECISIONS}
Features = dict[str, float]


@dataclass(frozen=True)
class LinearModel:
    """A logistic model of a yes/no question (is this candidate the answer? is this an incident?)."""

    intercept: float
    weights: dict[str, float]
    threshold: float = 0.5  # below it: no (a ranker names no candidate when even the best is below)

    def probability(self, features: Features) -> float:
        logit = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1 / (1 + math.exp(-max(min(logit, 500.0), -500.0)))

    def to_json(self) -> dict[str, Any]:
        return {"intercept": self.intercept, "threshold": self.threshold, "weights": dict(sorted(self.weights.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> LinearModel:
        try:
            return cls(float(data["intercept"]), {str(k): float(v) for k, v in data["weights"].items()},
                       float(data.get("threshold", 0.5)))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RuleError(where, None, f"malformed decision model: {exc!r}") from exc


@dataclass(frozen=True)
class DecisionModels:
    models: dict[str, LinearModel]
    gold: dict[str, Any]  # the gold the weights were fitted on: files and their sha256

    def __getitem__(self, decision: str) -> LinearModel:
        return self.models[decision]

    def get(self, decision: str) -> LinearModel | None:
        return self.models.get(decision)

    def to_json(self) -> dict[str, Any]:
        return {"gold": self.gold, "models": {name: model.to_json() for name, model in self.models.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> DecisionModels:
        models = data.get("models") if isinstance(data, dict) else None
        if not isinstance(models, dict):
            raise RuleError(where, None, "no 'models' mapping")
        missing = [name for name in DECISIONS if name not in models]
        if missing:
            raise RuleError(where, None, f"no model for {', '.join(missing)}")
        names = DECISIONS + tuple(name for name in CONFIDENCE_MODELS.values() if name in models)
        return cls({name: LinearModel.from_json(models[name], f"{where} ({name})") for name in names},
                   data.get("gold", {}))


def weights_path() -> Path:
    """The learned weights when `pipeline retrain` wrote some (and the pipeline reads the learned
    folder), else the stock ones."""
    return rules.learned_path(WEIGHTS_FILE) or rules.rule_path(WEIGHTS_FILE)


def read_weights(path: Path, what: str) -> Any:
    """A weights file's JSON; a RuleError naming the file when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleError(path, None, f"cannot read {what}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise RuleError(path, exc.lineno, f"not valid JSON: {exc.msg}") from exc


def read_models(path: Path) -> DecisionModels:
    return DecisionModels.from_json(read_weights(path, "decision weights"), str(path))


def write_weights(data: dict[str, Any], path: Path) -> Path:
    """A weights file's JSON written (its folder made if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def write_models(models: DecisionModels, path: Path) -> Path:
    return write_weights(models.to_json(), path)


# Models in memory, replacing the files while set (cross-validation fits and scores fold after fold).
_models_override: DecisionModels | None = None


def use_models(models: DecisionModels | None) -> None:
    """Decide with these models from now on (None: the weights file)."""
    global _models_override
    _models_override = models
    decision_models.cache_clear()


@rule_cache
def decision_models() -> DecisionModels:
    return _models_override or read_models(weights_path())


@dataclass(frozen=True)
class Candidate:
    """One answer the rules propose for a decision, with the features a model weighs."""

    value: Any
    features: Features
    evidence: str = ""


@dataclass(frozen=True)
class Choice:
    value: Any  # None when no candidate was good enough
    probability: float  # of the choice being right (of "none" being right when value is None)
    evidence: str = ""
    # How far the choice stood from the runner-up (the best candidate's probability minus the
    # second's; for yes/no and "none", the distance from the threshold): a close call is a doubt.
    margin: float = 1.0
    candidates: int = 0
    features: Features = field(default_factory=dict)  # the chosen candidate's


def rank(model: LinearModel, candidates: list[Candidate]) -> Choice:
    """The most probable candidate, or none when even the best falls below the model's threshold."""
    if not candidates:
        return Choice(None, 1.0)
    scored = sorted(((model.probability(c.features), c) for c in candidates), key=lambda pair: -pair[0])
    best_probability, best = scored[0]
    if best_probability < model.threshold:
        return Choice(None, 1 - best_probability, margin=model.threshold - best_probability,
                      candidates=len(candidates))
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return Choice(best.value, best_probability, best.evidence, best_probability - runner_up, len(candidates),
                  best.features)


def decide_yes(model: LinearModel, features: Features) -> Choice:
    """Yes or no, with the probability of the answer given."""
    probability = model.probability(features)
    yes = probability >= model.threshold
    return Choice(yes, probability if yes else 1 - probability, margin=abs(probability - model.threshold),
                  features=features)
