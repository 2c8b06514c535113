from django.contrib import admin

from simulations.models import Chain, Exercise, Proposal, SimulationRun, Step


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


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "chain", "finding", "owner_side", "status", "created_at"]
    list_filter = ["status", "owner_side", "finding"]
