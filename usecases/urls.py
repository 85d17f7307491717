from django.urls import path

from usecases import import_views, views

app_name = "usecases"

urlpatterns = [
    path("", views.usecase_list, name="usecase_list"),
    path("mine/", views.my_proposals, name="my_proposals"),
    path("new/", views.usecase_create, name="usecase_create"),
    path("validate/", views.usecase_validate, name="usecase_validate"),
    path("similar/", views.usecase_similar, name="usecase_similar"),
    path("export.csv", views.usecase_export, name="usecase_export"),
    path("import/", import_views.import_upload, name="usecase_import"),
    path("import/<str:token>/map/", import_views.import_map, name="usecase_import_map"),
    path("import/<str:token>/preview/", import_views.import_preview, name="usecase_import_preview"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:notification_pk>/", views.notification_open, name="notification_open"),
    path("<int:pk>/", views.usecase_detail, name="usecase_detail"),
    path("<int:pk>/edit/", views.usecase_edit, name="usecase_edit"),
    path("<int:pk>/status/", views.usecase_transition, name="usecase_transition"),
    path("<int:pk>/endorse/", views.usecase_endorse, name="usecase_endorse"),
    path("<int:pk>/follow/", views.usecase_follow, name="usecase_follow"),
    path("<int:pk>/comments/", views.usecase_comment, name="usecase_comment"),
    path("<int:pk>/duplicate/", views.usecase_mark_duplicate, name="usecase_mark_duplicate"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
