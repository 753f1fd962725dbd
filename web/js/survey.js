// The satisfaction survey (seed 004, appendix 12) on an application's page: after each service
// the parent received (the registration, a direction, a signed contract) they are asked once —
// two questions, three levels — or dismiss it, and are not asked about that service again.

import { get, post } from "./api.js";
import { bi, clear, h, uid, w } from "./dom.js";
import { addWords } from "./i18n.js";
import { busy, notice, showError } from "./ui.js";

addWords({
  "survey.title": ["Қызмет сапасына баға беріңіз", "Оцените качество услуги"],
  "survey.service": ["Қызмет:", "Услуга:"],
  "survey.lead": [
    "Екі сұраққа жауап беріңіз — бұл бір минут алады. Әр қызмет бойынша бір рет қана сұраймыз.",
    "Ответьте на два вопроса — это займет минуту. По каждой услуге спрашиваем только один раз.",
  ],
  "survey.send": ["Жауапты жіберу", "Отправить ответ"],
  "survey.dismiss": ["Жауап бермеу", "Не отвечать"],
  "survey.choose": ["Әр сұраққа бір жауапты таңдаңыз.", "Выберите один ответ на каждый вопрос."],
  "survey.thanks": ["Рахмет! Жауабыңыз қабылданды.", "Спасибо! Ваш ответ принят."],
  "survey.dismissed": ["Бұл қызмет бойынша енді сұралмайды.", "По этой услуге больше не спросим."],
});

/** The survey card of one application: {element, refresh}. Empty (hidden) when nothing is pending. */
export function surveyPanel(applicationId) {
  const element = h("div", { class: "survey-slot" });
  const path = `/applications/${encodeURIComponent(applicationId)}/survey`;
  let form = null;

  function card(pending) {
    const item = pending[pending.length - 1]; // the latest service first
    const headingId = uid("survey-title");
    const errors = h("div", { class: "error-slot" });
    const questions = form.questions.map((question) => {
      const name = uid(`survey-${question.code}`);
      return h(
        "fieldset",
        { class: "field radio-group survey-question", dataset: { question: question.code } },
        h("legend", {}, `${question.number}. `, bi(question.text_kk, question.text_ru)),
        form.levels.map((level) => {
          const id = uid(name);
          return h(
            "span",
            { class: "radio" },
            h("input", { type: "radio", id, name, value: level.code }),
            h("label", { for: id }, bi(level.text_kk, level.text_ru)),
          );
        }),
      );
    });
    const send = h("button", { type: "submit", class: "btn btn-primary" }, w("survey.send"));
    const dismiss = h("button", { type: "button", class: "btn btn-outline" }, w("survey.dismiss"));
    const body = h(
      "form",
      { class: "survey-form", novalidate: true },
      questions,
      errors,
      h("div", { class: "actions" }, send, dismiss),
    );
    const chosen = (code) => body.querySelector(`[data-question="${code}"] input:checked`)?.value || null;
    const answer = async (button, payload, doneKey) => {
      await busy(button, async () => {
        try {
          await post(path, { service: item.service, instance: item.instance, ...payload });
        } catch (error) {
          showError(errors, error);
          return;
        }
        const rest = pending.slice(0, -1);
        clear(element).append(notice("success", w(doneKey)));
        if (rest.length) element.append(card(rest));
      });
    };
    body.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = chosen("result");
      const information = chosen("information");
      if (!result || !information) {
        clear(errors).append(notice("error", w("survey.choose")));
        return;
      }
      await answer(send, { result, information }, "survey.thanks");
    });
    dismiss.addEventListener("click", () => answer(dismiss, { dismissed: true }, "survey.dismissed"));
    return h(
      "section",
      { class: "card survey", "aria-labelledby": headingId, dataset: { service: item.service, instance: item.instance } },
      h("h2", { class: "h3", id: headingId }, w("survey.title")),
      h("p", { class: "survey-service" }, w("survey.service"), " ", h("strong", {}, bi(item.name_kk, item.name_ru))),
      h("p", { class: "muted" }, w("survey.lead")),
      body,
    );
  }

  async function refresh() {
    let found;
    try {
      found = await get(path);
    } catch {
      clear(element); // the survey never stands in the way of the page
      return;
    }
    form = found;
    clear(element);
    if (found.pending?.length) element.append(card(found.pending));
  }

  return { element, refresh };
}
