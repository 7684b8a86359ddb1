from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

from registration.forms.confirmation import ConfirmCodeForm, code_form_html


def test_code_form_html_blank_is_crispy_forms_own_rendering():
    assert code_form_html(ConfirmCodeForm()) == as_crispy_form(ConfirmCodeForm())
    assert code_form_html(ConfirmCodeForm()) is code_form_html(ConfirmCodeForm())


def test_code_form_html_typed_code_keeps_its_value_and_error():
    form = ConfirmCodeForm({"code": "12 34"})
    assert not form.is_valid()
    html = code_form_html(form)
    assert 'value="12 34"' in html
    assert "Type the 6 digits from the email." in html
