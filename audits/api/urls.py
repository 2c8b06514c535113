from rest_framework.routers import SimpleRouter

from audits.api.views import (
    ActionViewSet,
    AuditViewSet,
    ChecklistItemViewSet,
    FindingViewSet,
    ProgrammeViewSet,
)

router = SimpleRouter()
router.register("audit-programmes", ProgrammeViewSet, basename="audit-programme")
router.register("audits", AuditViewSet, basename="audit")
router.register("audit-checklist-items", ChecklistItemViewSet, basename="audit-checklist-item")
router.register("audit-findings", FindingViewSet, basename="audit-finding")
router.register("audit-actions", ActionViewSet, basename="audit-action")
urlpatterns = router.urls
