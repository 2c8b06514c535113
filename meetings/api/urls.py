from rest_framework.routers import SimpleRouter

from meetings.api import views

router = SimpleRouter()
router.register("meeting-series", views.SeriesViewSet, basename="meeting-series")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("meeting-actions", views.ActionItemViewSet, basename="meeting-action")
router.register("sips", views.SIPViewSet, basename="sip")
router.register("sip-milestones", views.SIPMilestoneViewSet, basename="sip-milestone")
urlpatterns = router.urls
