from rest_framework.routers import SimpleRouter

from simulations.api import views

router = SimpleRouter()
router.register("simulation-chains", views.ChainViewSet, basename="simulation-chain")
router.register("simulation-steps", views.StepViewSet, basename="simulation-step")
router.register("simulation-scenarios", views.ScenarioViewSet, basename="simulation-scenario")
router.register("simulation-runs", views.RunViewSet, basename="simulation-run")
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("simulation-proposals", views.ProposalViewSet, basename="simulation-proposal")
urlpatterns = router.urls
