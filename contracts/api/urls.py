from rest_framework.routers import SimpleRouter

from contracts.api.imports import RegisterImportViewSet
from contracts.api.register import ExpectationViewSet, InformationNeedViewSet
from contracts.api.views import (
    ContractViewSet,
    MeasurementViewSet,
    ServiceLevelViewSet,
    ServiceViewSet,
    SLAReportViewSet,
)

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("services", ServiceViewSet, basename="service")
router.register("service-levels", ServiceLevelViewSet, basename="servicelevel")
router.register("expectations", ExpectationViewSet, basename="expectation")
router.register("information-needs", InformationNeedViewSet, basename="information-need")
router.register("sla-reports", SLAReportViewSet, basename="slareport")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("contract-imports", RegisterImportViewSet, basename="contract-import")
urlpatterns = router.urls
