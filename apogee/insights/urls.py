"""URLs of the insights pages."""

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board_pack, name="board_pack"),
    path("reports/<slug:kind>/", views.report, name="report"),
    path("reports/<slug:kind>/deals/", views.drill, name="drill"),
    path("reports/<slug:kind>/export.csv", views.export_csv, name="export_csv"),
    path("saved/", views.save_report, name="save_report"),
    path("saved/<int:pk>/delete/", views.delete_report, name="delete_report"),
    path("saved/<int:pk>/card/", views.report_card, name="card"),
    path("dashboards/", views.save_dashboard, name="save_dashboard"),
    path("dashboards/<int:pk>/", views.dashboard, name="dashboard"),
    path("dashboards/<int:pk>/delete/", views.delete_dashboard, name="delete_dashboard"),
    path("dashboards/<int:pk>/items/", views.add_item, name="add_item"),
    path("dashboards/<int:pk>/items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
    path("dashboards/<int:pk>/items/<int:item_id>/move/", views.move_item, name="move_item"),
]
