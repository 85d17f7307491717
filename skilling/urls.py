from django.urls import path

from skilling import manage_views, views

app_name = "skilling"

urlpatterns = [
    # Everyone
    path("", views.catalog, name="catalog"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/enrol/", views.resource_enrol, name="resource_enrol"),
    path("resources/<int:pk>/progress/", views.resource_progress, name="resource_progress"),
    path("resources/<int:pk>/complete/", views.resource_complete, name="resource_complete"),
    path("resources/<int:pk>/leave/", views.resource_leave, name="resource_leave"),
    path("my/", views.my_learning, name="my_learning"),
    path("my/roles/", views.my_roles, name="my_roles"),
    path("roles/", views.role_list, name="role_list"),
    # A role's page with its learning path; proposals link here (role_paths_for.html).
    path("roles/<slug:slug>/", views.role_path, name="role_path"),
    path("roles/<slug:slug>/target/", views.role_target, name="role_target"),
    path("skills/", views.skill_list, name="skill_list"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    # Champions (their department), leadership, reviewers and admins (all departments)
    path("coverage/", views.coverage_view, name="coverage"),
    path("coverage/export.csv", views.coverage_csv, name="coverage_csv"),
    # CoE admins
    path("manage/", manage_views.manage_home, name="manage"),
    path("manage/resources/", manage_views.manage_resources, name="manage_resources"),
    path("manage/resources/new/", manage_views.resource_edit, name="resource_create"),
    path("manage/resources/<int:pk>/edit/", manage_views.resource_edit, name="resource_edit"),
    path("manage/resources/import/", manage_views.resource_import, name="resource_import"),
    path(
        "manage/resources/import/template.csv",
        manage_views.resource_import_template,
        name="resource_import_template",
    ),
    path(
        "manage/resources/import/<int:pk>/",
        manage_views.resource_import_confirm,
        name="resource_import_confirm",
    ),
    path("manage/skills/", manage_views.manage_skills, name="manage_skills"),
    path("manage/skills/new/", manage_views.skill_edit, name="skill_create"),
    path("manage/skills/<int:pk>/edit/", manage_views.skill_edit, name="skill_edit"),
    path("manage/roles/", manage_views.manage_roles, name="manage_roles"),
    path("manage/roles/new/", manage_views.role_edit, name="role_create"),
    path("manage/roles/<slug:slug>/edit/", manage_views.role_edit, name="role_edit"),
    path("manage/roles/<slug:slug>/path/", manage_views.path_edit, name="path_edit"),
    path("manage/path-steps/<int:pk>/move/", manage_views.path_step_move, name="path_step_move"),
    path(
        "manage/path-steps/<int:pk>/remove/", manage_views.path_step_remove, name="path_step_remove"
    ),
    path("manage/events/", manage_views.manage_events, name="manage_events"),
    path("manage/events/new/", manage_views.event_edit, name="event_create"),
    path("manage/events/<int:pk>/edit/", manage_views.event_edit, name="event_edit"),
    path("manage/events/<int:pk>/registrations/", manage_views.event_roster, name="event_roster"),
]
