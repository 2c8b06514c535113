from rest_framework.routers import SimpleRouter

from kto.api.views import QuestionViewSet, SurveyViewSet

router = SimpleRouter()
router.register("kto/surveys", SurveyViewSet, basename="kto-survey")
router.register("kto/questions", QuestionViewSet, basename="kto-question")
urlpatterns = router.urls
