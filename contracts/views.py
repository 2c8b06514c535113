from django.core.paginator import Paginator
from django.views.generic import DetailView, ListView

from contracts.selectors import contract_list
from governance.access import get_object_for
from governance.views import TenantMixin

PAGE_SIZE = 25


class ContractListView(TenantMixin, ListView):
    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    paginate_by = PAGE_SIZE
    paginator_class = Paginator

    def get_queryset(self):
        return contract_list(access=self.access, search=self.request.GET.get("q", "").strip())


class ContractDetailView(TenantMixin, DetailView):
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_object(self, queryset=None):
        return get_object_for(self.access, contract_list(access=self.access), pk=self.kwargs["pk"])
