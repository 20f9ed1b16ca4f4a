from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "apogee.products"
    label = "products"
