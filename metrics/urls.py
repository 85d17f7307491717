from django.urls import path, re_path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/<slug:chart>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("my-department/", views.my_department, name="my_department"),
    path("departments/<slug:code>/", views.department_dashboard, name="department_dashboard"),
    path("readiness/", views.readiness_overview, name="readiness"),
    path("readiness/<slug:code>/", views.department_readiness, name="department_readiness"),
    path("readiness/<slug:code>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    re_path(
        r"^reports/(?P<pk>\d+)/download\.(?P<fmt>html|csv)$",
        views.report_download,
        name="report_download",
    ),
]
