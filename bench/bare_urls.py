from django.http import HttpResponse
from django.urls import path

PAGE = "<!doctype html><html lang=en><title>Bare</title><p>" + "cobalt " * 200 + "</p></html>"


def bare(request):
    return HttpResponse(PAGE)


urlpatterns = [path("bare/", bare), path("", bare)]
