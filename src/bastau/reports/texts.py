"""The report's fixed texts: section titles, figure labels and each figure's definition (what
is counted, on which day, how a share is computed), as ``key: (English, Kazakh, Russian)``
(`core.printing.Texts`)."""

from bastau.core.printing import Texts

TEXTS = {
    "title": ("Branch report", "Филиалдың есебі", "Отчёт филиала"),
    "region": ("the whole region", "облыс бойынша", "по области"),
    "period": ("Period", "Кезең", "Период"),
    "comparison": ("Compared with", "Салыстыру кезеңі", "Период сравнения"),
    "figure": ("Figure", "Көрсеткіш", "Показатель"),
    "value": ("Value", "Мәні", "Значение"),
    "previous": ("Comparison", "Салыстыру", "Сравнение"),
    "definition": ("Definition", "Анықтама", "Определение"),
    "list": ("List", "Тізім", "Список"),
    "section": ("Section", "Бөлім", "Раздел"),
    "generated": ("Prepared on", "Дайындалған күні", "Подготовлен"),
    # Sections
    "members": ("Structure and members", "Құрылым және мүшелер", "Структура и члены партии"),
    "admissions": (
        "Admissions and party cards",
        "Партияға қабылдау және билеттер",
        "Приём в партию и партийные билеты",
    ),
    "primaries": ("Primaries", "Ішкі партиялық іріктеу", "Внутрипартийный отбор"),
    "reception": ("Public reception", "«Халыққа көмек» қабылдауы", "Общественная приёмная"),
    "oversight": (
        "Deputies and budget monitoring",
        "Депутаттар және бюджет мониторингі",
        "Депутаты и мониторинг бюджета",
    ),
    "activity": ("Activity", "Қызмет", "Деятельность"),
    "review": (
        "Review of party members",
        "Партия мүшелерін сараптау",
        "Сверка членов партии",
    ),
    # Figures
    "review_members": ("Members reviewed", "Тексерілген мүшелер", "Проверено членов партии"),
    "review_confirmed": ("Confirmed", "Расталды", "Подтверждено"),
    "review_changed": (
        "Status or registration changed",
        "Мәртебесі немесе есебі өзгерді",
        "Изменены статус или учёт",
    ),
    "review_unanswered": ("Not answered", "Жауап жоқ", "Без ответа"),
    "members_total": ("Members", "Партия мүшелері", "Члены партии"),
    "women_share": ("Women, %", "Әйелдер, %", "Женщины, %"),
    "youth_share": ("Youth, %", "Жастар, %", "Молодёжь, %"),
    "growth": (
        "Members at the start and end of the period",
        "Кезең басы мен соңындағы мүшелер",
        "Члены партии на начало и конец периода",
    ),
    "applications": ("Applications", "Өтініштер", "Заявления"),
    "admitted": ("Admitted", "Қабылданды", "Принято"),
    "rejected": ("Rejected", "Бас тартылды", "Отказано"),
    "cards": ("Party cards issued", "Берілген партия билеттері", "Выдано партийных билетов"),
    "candidates": ("Candidates", "Кандидаттар", "Кандидаты"),
    "voters": ("Members who voted", "Дауыс берген мүшелер", "Проголосовавшие члены партии"),
    "appeals": ("Appeals registered", "Тіркелген өтініштер", "Зарегистрировано обращений"),
    "decided": ("Decided on the merits", "Мәні бойынша шешілді", "Рассмотрено по существу"),
    "positive_share": ("Resolved positively, %", "Оң шешілді, %", "Решено положительно, %"),
    "overdue_share": ("Overdue, %", "Мерзімі өткен, %", "С нарушением срока, %"),
    "sessions_two_months": (
        "Receptions, last two months",
        "Қабылдаулар, соңғы екі ай",
        "Приёмы граждан, последние два месяца",
    ),
    "average_days": (
        "Average days to decide",
        "Шешудің орташа мерзімі, күн",
        "Средний срок рассмотрения, дней",
    ),
    "deputies": ("Maslikhat deputies", "Мәслихат депутаттары", "Депутаты маслихатов"),
    "average_age": (
        "Deputies' average age",
        "Депутаттардың орташа жасы",
        "Средний возраст депутатов",
    ),
    "reports_held": (
        "Deputies' reports held",
        "Депутаттардың өткен есептері",
        "Проведённые отчёты депутатов",
    ),
    "reports_planned": (
        "Deputies' reports scheduled",
        "Жоспарланған есептер",
        "Запланированные отчёты",
    ),
    "indicators": (
        "Budget indicators monitored",
        "Бақыланатын бюджет көрсеткіштері",
        "Отслеживаемые показатели бюджета",
    ),
    "lagging": ("Lagging indicators", "Жоспардан қалған көрсеткіштер", "Отстающие показатели"),
    "meetings": ("Meetings", "Жиналыстар", "Собрания"),
    "instructions": ("Instructions issued", "Берілген тапсырмалар", "Выданные поручения"),
    "on_time": ("Done on time", "Мерзімінде орындалды", "Исполнено в срок"),
    "late": ("Done late", "Кешігіп орындалды", "Исполнено с опозданием"),
    "overdue": ("Overdue", "Мерзімі өтті", "Просрочено"),
    "open": ("In progress", "Орындалуда", "В работе"),
    "projects_active": (
        "Active social projects",
        "Жұмыс істеп тұрған әлеуметтік жобалар",
        "Действующие социальные проекты",
    ),
    "projects_optimised": (
        "Projects optimised this year",
        "Биыл оңтайландырылған жобалар",
        "Оптимизировано проектов в этом году",
    ),
    "winners": ("Contest winners", "Байқау жеңімпаздары", "Победители конкурсов"),
    "awards": ("Awards", "Марапаттар", "Награды"),
    "thanks": ("Letters of thanks", "Алғыс хаттар", "Благодарственные письма"),
    "commissions": ("Commissions", "Комиссиялар", "Комиссии"),
    "commission_sessions": ("Commission sessions", "Комиссия отырыстары", "Заседания комиссий"),
    # Chart titles and series
    "chart_pyramid": ("Age pyramid", "Жас пирамидасы", "Возрастная пирамида"),
    "chart_months": (
        "Admissions and exits by month",
        "Айлар бойынша кіру және шығу",
        "Приём и выбытие по месяцам",
    ),
    "chart_sectors": ("Members by sector", "Салалар бойынша мүшелер", "Члены партии по сферам"),
    "chart_topics": ("Appeals by topic", "Тақырыптар бойынша өтініштер", "Обращения по темам"),
    "chart_positive": (
        "Positive share, comparison and period",
        "Оң шешім үлесі",
        "Доля положительных решений",
    ),
    "chart_instructions": (
        "Instructions by state",
        "Тапсырмалардың орындалуы",
        "Исполнение поручений",
    ),
    "men": ("Men", "Ерлер", "Мужчины"),
    "women": ("Women", "Әйелдер", "Женщины"),
    "exits": ("Exits", "Шығу", "Выбытие"),
}

#: Each figure's definition: what is counted, on which day, and how a share is computed.
DEFINITIONS = {
    "members_total": (
        "Members on the period's last day: joined on or before it and not left by then.",
        "Кезеңнің соңғы күніндегі мүшелер: сол күнге дейін кірген және шықпаған.",
        "Члены партии на последний день периода: вступившие не позже этого дня и не выбывшие.",
    ),
    "women_share": (
        "Women among the members on the period's last day, as a percent of all members then.",
        "Кезеңнің соңғы күніндегі мүшелердің ішіндегі әйелдердің барлық мүшелерге пайызы.",
        "Доля женщин среди членов партии на последний день периода, в процентах от всех.",
    ),
    "youth_share": (
        "Members younger than the youth age on the period's last day (whole years), as a "
        "percent of all members then.",
        "Кезеңнің соңғы күні жастар жасына толмаған мүшелердің (толық жыл) барлық мүшелерге "
        "пайызы.",
        "Члены партии моложе молодёжного возраста на последний день периода (полных лет), в "
        "процентах от всех.",
    ),
    "growth": (
        "Members on the day before the period and on its last day, counted by their current POO.",
        "Кезең алдындағы күні және соңғы күні мүшелер, қазіргі БПҰ бойынша.",
        "Члены партии накануне периода и в его последний день, по их нынешней ППО.",
    ),
    "applications": (
        "Applications dated in the period.",
        "Кезеңде берілген өтініштер.",
        "Заявления, поданные в периоде.",
    ),
    "admitted": (
        "Applications approved by the district branch in the period.",
        "Кезеңде аудандық филиал бекіткен өтініштер.",
        "Заявления, одобренные районным филиалом в периоде.",
    ),
    "rejected": (
        "Applications rejected in the period.",
        "Кезеңде бас тартылған өтініштер.",
        "Заявления, отклонённые в периоде.",
    ),
    "cards": (
        "Party cards issued in the period to members of the place (reissues included).",
        "Кезеңде берілген партия билеттері (қайта берілгендері қоса).",
        "Партийные билеты, выданные в периоде (включая повторные).",
    ),
    "candidates": (
        "Registered candidates of the selections whose results were published in the period "
        "(or of the latest one before it).",
        "Нәтижесі кезеңде жарияланған (немесе соңғы) іріктеудің тіркелген кандидаттары.",
        "Зарегистрированные кандидаты отборов, итоги которых опубликованы в периоде (или "
        "последнего до него).",
    ),
    "voters": (
        "Members who voted (online or on paper) in those selections.",
        "Сол іріктеулерде дауыс берген мүшелер (онлайн немесе қағаз бюллетеньмен).",
        "Члены партии, проголосовавшие в этих отборах (онлайн или бумажным бюллетенем).",
    ),
    "appeals": (
        "Appeals registered in the period by the place's branches.",
        "Кезеңде тіркелген өтініштер.",
        "Обращения, зарегистрированные в периоде.",
    ),
    "decided": (
        "Of those, the appeals decided on the merits: resolved positively, explained or "
        "refused (forwarded and open ones are not).",
        "Олардың мәні бойынша шешілгені: оң шешілген, түсіндірілген немесе бас тартылған.",
        "Из них рассмотренные по существу: решённые положительно, с разъяснением или с "
        "отказом (перенаправленные и открытые не входят).",
    ),
    "positive_share": (
        "Resolved positively ÷ decided on the merits, of the appeals registered in the period; "
        "changes are in percentage points.",
        "Оң шешілгені ÷ мәні бойынша шешілгені (кезеңде тіркелген өтініштер); өзгерісі "
        "пайыздық тармақпен.",
        "Решённые положительно ÷ рассмотренные по существу (обращения, зарегистрированные в "
        "периоде); изменение — в процентных пунктах.",
    ),
    "overdue_share": (
        "Appeals of the period that missed their deadline, as a percent of those registered.",
        "Мерзімі бұзылған өтініштердің тіркелгендерге пайызы.",
        "Доля обращений периода, рассмотренных с нарушением срока.",
    ),
    "sessions_two_months": (
        "Reception sessions held in the last two months up to the period's end, against the "
        "two months before.",
        "Кезең соңына дейінгі соңғы екі айда өткен қабылдаулар, алдыңғы екі аймен салыстырғанда.",
        "Приёмы граждан за два последних месяца периода против двух месяцев до них.",
    ),
    "average_days": (
        "Calendar days from registration to decision, of the appeals decided in the period.",
        "Кезеңде шешілген өтініштердің тіркелуден шешімге дейінгі күнтізбелік күндері.",
        "Календарные дни от регистрации до решения по обращениям, решённым в периоде.",
    ),
    "deputies": (
        "Active deputies of the maslikhats of the place on the period's last day.",
        "Кезең соңындағы мәслихаттардың қызметтегі депутаттары.",
        "Действующие депутаты маслихатов на последний день периода.",
    ),
    "average_age": (
        "Mean age in whole years on the period's last day.",
        "Кезең соңындағы толық жылмен орташа жас.",
        "Средний возраст в полных годах на последний день периода.",
    ),
    "reports_held": (
        "Scheduled deputies' reports dated in the period and marked held.",
        "Кезеңге жоспарланып, өткізілген депутат есептері.",
        "Отчёты депутатов по графику в периоде, отмеченные как проведённые.",
    ),
    "reports_planned": (
        "Scheduled deputies' reports dated in the period.",
        "Кезеңге жоспарланған депутат есептері.",
        "Отчёты депутатов по графику с датой в периоде.",
    ),
    "indicators": (
        "Budget indicators of the period's last year.",
        "Кезеңнің соңғы жылының бюджет көрсеткіштері.",
        "Показатели бюджета последнего года периода.",
    ),
    "lagging": (
        "Of those, indicators whose execution is below the maslikhat's threshold.",
        "Олардың орындалуы мәслихат шегінен төмені.",
        "Из них показатели с исполнением ниже порога маслихата.",
    ),
    "meetings": (
        "Meetings held in the period.",
        "Кезеңде өткен жиналыстар.",
        "Собрания, проведённые в периоде.",
    ),
    "instructions": (
        "Instructions issued in the period (cancelled ones excluded); their state on the "
        "period's last day against the deadline in force.",
        "Кезеңде берілген тапсырмалар (күшін жойғандарынсыз); күйі кезең соңында.",
        "Поручения, выданные в периоде (без отменённых); состояние на последний день периода.",
    ),
    "on_time": (
        "Executed on or before the deadline.",
        "Мерзімінде орындалды.",
        "Исполнено не позже срока.",
    ),
    "late": ("Executed after the deadline.", "Мерзімінен кеш орындалды.", "Исполнено после срока."),
    "overdue": (
        "Open, deadline passed.",
        "Орындалмаған, мерзімі өткен.",
        "Не исполнено, срок прошёл.",
    ),
    "open": (
        "Open, deadline not reached.",
        "Орындалуда, мерзімі өтпеген.",
        "В работе, срок не наступил.",
    ),
    "projects_active": (
        "Social projects active now.",
        "Қазір жұмыс істейтін жобалар.",
        "Социальные проекты, действующие сейчас.",
    ),
    "projects_optimised": (
        "Projects merged into another or closed in the period (their rows are kept).",
        "Кезеңде басқа жобаға біріктірілген немесе жабылған жобалар.",
        "Проекты, объединённые с другими или закрытые в периоде.",
    ),
    "winners": (
        "Winners of finished contests of the period's years.",
        "Кезең жылдарындағы аяқталған байқаулардың жеңімпаздары.",
        "Победители завершённых конкурсов лет периода.",
    ),
    "awards": (
        "Awards given in the period.",
        "Кезеңде берілген марапаттар.",
        "Награды, врученные в периоде.",
    ),
    "thanks": (
        "Letters of thanks given in the period.",
        "Кезеңде берілген Алғыс хаттар.",
        "Благодарственные письма, врученные в периоде.",
    ),
    "commissions": ("Commissions of the place.", "Комиссиялар.", "Комиссии."),
    "commission_sessions": (
        "Commission sessions held in the period.",
        "Кезеңде өткен комиссия отырыстары.",
        "Заседания комиссий в периоде.",
    ),
    "review_members": (
        "Members on the rolls of the reviews that ran in the period (taken when each review "
        "opened), in the place's POOs.",
        "Кезеңде өткен сараптаулардың тізімдеріндегі мүшелер (әр сараптау ашылған күнгі).",
        "Члены партии в списках сверок, проходивших в периоде (на день открытия каждой сверки).",
    ),
    "review_confirmed": (
        "Of those, the members their POO leader confirmed.",
        "Олардың ішінде БПҰ басшысы растаған мүшелер.",
        "Из них подтверждённые руководителем ППО.",
    ),
    "review_changed": (
        "Of those, the members whose answer changed their record: contact lost (suspended), "
        "moved (transferred), deceased, wishes to leave.",
        "Олардың ішінде жауабы есебін өзгерткен мүшелер: байланыс жоқ, көшті, қайтыс болды, "
        "шыққысы келеді.",
        "Из них члены партии, чей ответ изменил их учёт: связь потеряна, переехал, умер, "
        "желает выйти.",
    ),
    "review_unanswered": (
        "Of those, the members with no answer yet (or when the review closed).",
        "Олардың ішінде әлі (немесе сараптау жабылғанда) жауап берілмеген мүшелер.",
        "Из них члены партии без ответа (на сегодня или на день закрытия сверки).",
    ),
}

text = Texts(TEXTS)
definition = Texts(DEFINITIONS)
