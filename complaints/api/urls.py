from rest_framework.routers import SimpleRouter

from complaints.api.views import ComplaintViewSet, ProposalViewSet

router = SimpleRouter()
router.register("complaints/proposals", ProposalViewSet, basename="complaint-proposal")
router.register("complaints", ComplaintViewSet, basename="complaint")
urlpatterns = router.urls
