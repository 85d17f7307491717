from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("queue/", views.review_queue, name="queue"),
    path("proposals/<int:pk>/", views.case, name="case"),
    path("proposals/<int:pk>/assign/", views.assign, name="assign"),
    path("proposals/<int:pk>/accept/", views.accept, name="accept"),
    path("proposals/<int:pk>/reject/", views.reject, name="reject"),
    path("proposals/<int:pk>/risk/", views.risk_override, name="risk_override"),
    path("proposals/<int:pk>/live/", views.go_live, name="go_live"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/assign/", views.review_assign, name="review_assign"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("conditions/<int:pk>/met/", views.condition_met, name="condition_met"),
    path("conditions/<int:pk>/waive/", views.condition_waive, name="condition_waive"),
    path("register/", views.register_list, name="register"),
    path("register.csv", views.register_csv, name="register_csv"),
    path("settings/", views.governance_settings, name="settings"),
    path("setup/", views.setup, name="setup"),
    path("criteria/", views.criteria_list, name="criteria"),
    path("criteria/new/", views.criterion_edit, name="criterion_new"),
    path("criteria/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("platforms/", views.platform_list, name="platforms"),
    path("platforms/new/", views.platform_edit, name="platform_new"),
    path("platforms/<int:pk>/", views.platform_edit, name="platform_edit"),
]
