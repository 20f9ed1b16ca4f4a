"""Reads of pipelines and stages."""

from django.db.models import Prefetch, QuerySet

from .models import Pipeline, Stage


def active_pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(is_archived=False).order_by("position", "id")


def pipelines_with_stages(*, include_archived: bool = False) -> QuerySet[Pipeline]:
    qs = Pipeline.objects.all() if include_archived else active_pipelines()
    return qs.prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position", "id")))


def ordered_stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.order_by("position", "id"))


def is_last_stage(stage: Stage) -> bool:
    return not Stage.objects.filter(pipeline_id=stage.pipeline_id, position__gt=stage.position).exists()
