from django.contrib import admin

from simulations.models import Chain, Exercise, SimulationRun, Step


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "organisation"]
    search_fields = ["name"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["name", "chain", "position", "party", "capacity"]


@admin.register(SimulationRun)
class SimulationRunAdmin(admin.ModelAdmin):
    list_display = ["label", "chain", "status", "progress", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["model", "results"]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["title", "chain", "kind", "scheduled_for", "status", "next_due"]
