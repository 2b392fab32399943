"""Generate a deterministic synthetic demo corpus for exercising the preprocessing pipeline.

Usage:
    python scripts/make_demo_corpus.py OUT_DIR [--docs 3000] [--seed 0] [--with-bad-records]

Writes ``web-00.jsonl.gz``, ``web-01.jsonl.gz`` and ``web-02.parquet`` (records
``{id, text, url, source}``) plus a sidecar ``labels.csv`` (``id,category,lang``).
About 80 % of the documents are prose in thirteen languages built from the
inline word lists below; the rest are planted problems for the filters to find:
symbol soup, minified code, exact and near duplicates, PII, mildly offensive
lines and empty texts.  Equal arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import string
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# Per-language sentence templates ("tpl") and slot fillers, "|"-separated. Slots: S subject,
# V verb (phrase), O object, A adjective (phrase), P place, T time; {N} is a number.
_RAW_LEXICON: dict[str, dict[str, str]] = {
    "en": {
        "tpl": "{S} {V} {O} {T}.|{T}, {S} {V} {O} {P}.|According to {S}, the project was {A}."
        "|About {N} people gathered {P} to hear how {S} {V} {O}."
        "|Many residents felt that {O} was {A}, although {S} disagreed."
        "|The report described {O} as {A}."
        "|Nobody expected that {S} would have {V} {O} so quickly."
        "|{P}, the mood was {A} as {S} {V} {O}.|It took {N} days before {S} {V} {O}.",
        "S": "the city council|our research team|a group of volunteers|the local library"
        "|many small farmers|the new museum|a young engineer|the school board"
        "|several local bakeries|the regional hospital|an independent journalist"
        "|the football club|my grandmother|the river authority",
        "V": "discussed|reviewed|improved|questioned|supported|documented|redesigned|celebrated"
        "|postponed|funded|examined|explained",
        "O": "the budget for next year|a plan to repair old bridges|the history of the harbor"
        "|a proposal for cheaper buses|the results of the survey|a shared garden project"
        "|the rules for public parks|a program for adult learners|the effects of the dry summer"
        "|an exhibition of early photographs|the cost of fresh vegetables|a new bicycle lane",
        "A": "surprisingly simple|remarkably quiet|rather expensive|quite popular"
        "|carefully planned|largely unfinished|slightly confusing|genuinely useful"
        "|fairly ambitious|very modern",
        "P": "near the old station|in the northern district|at the community center"
        "|along the river|in a small village|on the university campus|outside the main market"
        "|in the town hall",
        "T": "last spring|on Tuesday morning|after a long debate|earlier this month"
        "|during the winter|in the late afternoon|two years ago|before the holidays",
    },
    "de": {
        "tpl": "{S} hat {T} {O} {V}.|{T} hat {S} {P} {O} {V}."
        "|Viele Bewohner fanden das Projekt {A}, obwohl {S} anderer Meinung war."
        "|Etwa {N} Menschen kamen {P} zusammen, um über {O} zu sprechen."
        "|Der Bericht beschreibt {O} als {A}.|Es dauerte {N} Tage, bis {S} {O} {V} hatte."
        "|{P} war die Stimmung {A}, als {S} {O} {V} hat.",
        "S": "der Stadtrat|unser Forschungsteam|eine Gruppe von Freiwilligen|die Stadtbibliothek"
        "|das neue Museum|ein junger Ingenieur|der Schulausschuss|die Bäckerei an der Ecke"
        "|das Kreiskrankenhaus|eine freie Journalistin|der Fußballverein|meine Großmutter",
        "V": "diskutiert|überprüft|verbessert|kritisiert|unterstützt|dokumentiert|neu gestaltet"
        "|gefeiert|verschoben|finanziert|untersucht|erklärt",
        "O": "den Haushalt für das nächste Jahr|einen Plan zur Reparatur alter Brücken"
        "|die Geschichte des Hafens|einen Vorschlag für billigere Busse"
        "|die Ergebnisse der Umfrage|einen Gemeinschaftsgarten|die Regeln für öffentliche Parks"
        "|ein Programm für Erwachsene|die Folgen des trockenen Sommers"
        "|eine Ausstellung alter Fotografien|die Preise für frisches Gemüse|einen neuen Radweg",
        "A": "überraschend einfach|bemerkenswert ruhig|ziemlich teuer|sehr beliebt"
        "|sorgfältig geplant|weitgehend unfertig|etwas verwirrend|wirklich nützlich"
        "|recht ehrgeizig|erstaunlich modern",
        "P": "in der Altstadt|am alten Bahnhof|im Rathaus|im nördlichen Viertel"
        "|an der Universität|auf dem Marktplatz|in einem kleinen Dorf|am Flussufer",
        "T": "im letzten Frühling|am Dienstagmorgen|nach einer langen Debatte"
        "|Anfang dieses Monats|im Winter|am späten Nachmittag|vor zwei Jahren|vor den Feiertagen",
    },
    "fr": {
        "tpl": "{S} {V} {O} {T}.|{T}, {S} {V} {O} {P}.|Selon les habitants, le projet était {A}."
        "|Environ {N} personnes se sont réunies {P} pour évoquer {O}."
        "|Beaucoup pensaient que le plan était {A}, mais {S} n'était pas d'accord."
        "|Le rapport décrit le projet comme {A}."
        "|Il a fallu {N} jours avant que {S} ne présente {O}."
        "|{P}, l'ambiance était {A} quand {S} {V} {O}.",
        "S": "le conseil municipal|notre équipe de recherche|un groupe de bénévoles"
        "|la bibliothèque|la nouvelle directrice|le musée régional|un jeune ingénieur"
        "|l'association du quartier|l'hôpital régional|une journaliste indépendante"
        "|le club de football|ma grand-mère",
        "V": "a discuté|a examiné|a amélioré|a critiqué|a soutenu|a documenté|a présenté"
        "|a célébré|a reporté|a financé|a analysé|a expliqué",
        "O": "le budget de l'année prochaine|un projet de rénovation des ponts"
        "|l'histoire du port|une proposition de bus moins chers|les résultats de l'enquête"
        "|un jardin partagé|les règles des parcs publics|un programme pour les adultes"
        "|les effets de l'été sec|une exposition de photographies anciennes"
        "|le prix des légumes frais|une nouvelle piste cyclable",
        "A": "étonnamment simple|remarquablement calme|plutôt cher|très populaire"
        "|soigneusement préparé|largement inachevé|un peu confus|vraiment utile|assez ambitieux"
        "|particulièrement moderne",
        "P": "près de l'ancienne gare|dans le quartier nord|au centre culturel"
        "|le long de la rivière|dans un petit village|sur le campus|devant le marché couvert"
        "|à la mairie",
        "T": "au printemps dernier|mardi matin|après un long débat|au début du mois"
        "|pendant l'hiver|en fin d'après-midi|il y a deux ans|avant les vacances",
    },
    "es": {
        "tpl": "{S} {V} {O} {T}.|{T}, {S} {V} {O} {P}.|Según los vecinos, el proyecto era {A}."
        "|Unas {N} personas se reunieron {P} para hablar sobre {O}."
        "|Muchos pensaban que el plan era {A}, pero {S} no estaba de acuerdo."
        "|El informe describe el proyecto como {A}."
        "|Pasaron {N} días antes de que {S} presentara {O}."
        "|{P}, el ambiente era {A} cuando {S} {V} {O}.",
        "S": "el ayuntamiento|nuestro equipo de investigación|un grupo de voluntarios"
        "|la biblioteca|la nueva directora|el museo regional|un joven ingeniero"
        "|la asociación de vecinos|el hospital regional|una periodista independiente"
        "|el club de fútbol|mi abuela",
        "V": "discutió|revisó|mejoró|criticó|apoyó|documentó|presentó|celebró|aplazó|financió"
        "|analizó|explicó",
        "O": "el presupuesto del próximo año|un plan para reparar los puentes"
        "|la historia del puerto|una propuesta de autobuses más baratos"
        "|los resultados de la encuesta|un huerto comunitario|las normas de los parques"
        "|un programa para adultos|los efectos del verano seco"
        "|una exposición de fotografías antiguas|el precio de las verduras|un nuevo carril bici",
        "A": "sorprendentemente sencillo|muy tranquilo|bastante caro|muy popular"
        "|cuidadosamente planeado|casi terminado|algo confuso|realmente útil|bastante ambicioso"
        "|muy moderno",
        "P": "cerca de la antigua estación|en el barrio norte|en el centro cultural|junto al río"
        "|en un pequeño pueblo|en el campus|frente al mercado|en la plaza mayor",
        "T": "la primavera pasada|el martes por la mañana|tras un largo debate"
        "|a principios de mes|durante el invierno|a última hora de la tarde|hace dos años"
        "|antes de las fiestas",
    },
    "it": {
        "tpl": "{S} {V} {O} {T}.|{T}, {S} {V} {O} {P}."
        "|Secondo gli abitanti, il progetto era {A}."
        "|Circa {N} persone si sono riunite {P} per discutere {O}."
        "|Molti pensavano che il piano fosse {A}, ma {S} non era d'accordo."
        "|Il rapporto descrive il progetto come {A}."
        "|Sono passati {N} giorni prima che {S} presentasse {O}."
        "|{P}, l'atmosfera era {A} quando {S} {V} {O}.",
        "S": "il consiglio comunale|il nostro gruppo di ricerca|un gruppo di volontari"
        "|la biblioteca civica|la nuova direttrice|il museo regionale|un giovane ingegnere"
        "|l'associazione di quartiere|l'ospedale regionale|una giornalista indipendente"
        "|la squadra di calcio|mia nonna",
        "V": "ha discusso|ha esaminato|ha migliorato|ha criticato|ha sostenuto|ha documentato"
        "|ha presentato|ha festeggiato|ha rinviato|ha finanziato|ha analizzato|ha spiegato",
        "O": "il bilancio del prossimo anno|un piano per riparare i ponti|la storia del porto"
        "|una proposta di autobus più economici|i risultati del sondaggio|un orto condiviso"
        "|le regole dei parchi pubblici|un corso per adulti|gli effetti dell'estate secca"
        "|una mostra di fotografie antiche|il prezzo della verdura|una nuova pista ciclabile",
        "A": "sorprendentemente semplice|molto tranquillo|piuttosto costoso|molto popolare"
        "|pianificato con cura|quasi finito|un po' confuso|davvero utile|piuttosto ambizioso"
        "|molto moderno",
        "P": "vicino alla vecchia stazione|nel quartiere nord|al centro culturale|lungo il fiume"
        "|in un piccolo paese|nel campus|davanti al mercato|in municipio",
        "T": "la primavera scorsa|martedì mattina|dopo un lungo dibattito|all'inizio del mese"
        "|durante l'inverno|nel tardo pomeriggio|due anni fa|prima delle feste",
    },
    "pt": {
        "tpl": "{S} {V} {O} {T}.|{T}, {S} {V} {O} {P}.|Segundo os moradores, o projeto era {A}."
        "|Cerca de {N} pessoas reuniram-se {P} para discutir {O}."
        "|Muitos achavam que o plano era {A}, mas {S} não concordou."
        "|O relatório descreve o projeto como {A}."
        "|Passaram {N} dias até que {S} apresentasse {O}."
        "|{P}, o ambiente era {A} quando {S} {V} {O}.",
        "S": "a câmara municipal|a nossa equipa de pesquisa|um grupo de voluntários"
        "|a biblioteca pública|a nova diretora|o museu regional|um jovem engenheiro"
        "|a associação de moradores|o hospital regional|uma jornalista independente"
        "|o clube de futebol|a minha avó",
        "V": "discutiu|revisou|melhorou|criticou|apoiou|documentou|apresentou|celebrou|adiou"
        "|financiou|analisou|explicou",
        "O": "o orçamento do próximo ano|um plano para reparar as pontes|a história do porto"
        "|uma proposta de autocarros mais baratos|os resultados do inquérito"
        "|uma horta comunitária|as regras dos parques|um programa para adultos"
        "|os efeitos do verão seco|uma exposição de fotografias antigas|o preço dos legumes"
        "|uma nova ciclovia",
        "A": "surpreendentemente simples|muito tranquilo|bastante caro|muito popular"
        "|cuidadosamente planeado|quase terminado|um pouco confuso|realmente útil"
        "|bastante ambicioso|muito moderno",
        "P": "perto da antiga estação|no bairro norte|no centro cultural|junto ao rio"
        "|numa pequena aldeia|no campus|em frente ao mercado|na praça central",
        "T": "na primavera passada|na terça-feira de manhã|depois de um longo debate"
        "|no início do mês|durante o inverno|ao fim da tarde|há dois anos|antes das férias",
    },
    "ru": {
        "tpl": "{S} {V} {O} {T}.|{T} {S} {V} {O} {P}.|По словам жителей, проект оказался {A}."
        "|Около {N} человек собрались {P}, чтобы обсудить {O}."
        "|Многие считали, что план оказался {A}, но {S} были не согласны."
        "|В отчёте проект назван {A}.|Прошло {N} дней, прежде чем {S} {V} {O}."
        "|{P} было шумно, когда {S} {V} {O}.",
        "S": "члены городского совета|наши исследователи|местные волонтёры|сотрудники библиотеки"
        "|молодые инженеры|жители района|врачи областной больницы|независимые журналисты"
        "|игроки футбольного клуба|учителя нашей школы|фермеры из соседней деревни"
        "|студенты университета",
        "V": "обсуждали|изучали|улучшили|раскритиковали|поддержали|описали|представили|отметили"
        "|отложили|профинансировали|проанализировали|объяснили",
        "O": "бюджет на следующий год|план ремонта старых мостов|историю порта"
        "|предложение о дешёвых автобусах|результаты опроса|общий огород"
        "|правила для городских парков|программу для взрослых|последствия засушливого лета"
        "|выставку старых фотографий|цены на свежие овощи|новую велосипедную дорожку",
        "A": "удивительно простым|на редкость спокойным|довольно дорогим|очень популярным"
        "|тщательно продуманным|почти законченным|немного запутанным|действительно полезным"
        "|довольно амбициозным|весьма современным",
        "P": "возле старого вокзала|в северном районе|в доме культуры|на берегу реки"
        "|в небольшой деревне|в университетском городке|у центрального рынка|в здании мэрии",
        "T": "прошлой весной|во вторник утром|после долгого спора|в начале месяца|зимой"
        "|ближе к вечеру|два года назад|перед праздниками",
    },
    "ko": {
        "tpl": "{S} {T} {P} {O}{V}.|{T} {S} {O}{V}.|주민들에 따르면 그 사업은 {A}."
        "|약 {N}명의 사람들이 {P} 모여 {O}에 대해 이야기를 나눴다."
        "|많은 사람들은 그 계획이 {A}고 말했다.|보고서는 {O}에 관한 내용이 {A}고 평가했다."
        "|{S} {N}일이 지나서야 {O}{V}.|{P}는 분위기가 {A}.",
        "S": "시의회는|우리 연구팀은|자원봉사자들은|지역 도서관은|새 박물관은|젊은 엔지니어는"
        "|학교 운영위원회는|동네 빵집 주인들은|지역 병원은|한 독립 기자는|축구 동호회는"
        "|우리 할머니는",
        "V": "에 대해 논의했다|에 대해 검토했다|에 대해 설명했다|에 대해 질문했다"
        "|에 대해 발표했다|에 대한 보고서를 썼다|에 대한 지원을 약속했다|에 대한 회의를 연기했다"
        "|에 대해 자세히 조사했다|에 대한 의견을 모았다",
        "O": "내년 예산|낡은 다리 보수 계획|항구의 역사|저렴한 버스 노선 제안|설문 조사 결과"
        "|공동 텃밭 사업|공원 이용 규칙|성인 교육 프로그램|가뭄이 남긴 영향|옛 사진 전시회"
        "|신선한 채소 가격|새 자전거 도로",
        "A": "놀라울 만큼 단순했다|생각보다 조용했다|꽤 비쌌다|무척 인기가 많았다"
        "|꼼꼼하게 준비되어 있었다|아직 완성되지 않았다|조금 헷갈렸다|정말 유용했다"
        "|상당히 야심 찼다|매우 현대적이었다",
        "P": "옛 기차역 근처에서|북쪽 지역에서|주민 센터에서|강변에서|작은 마을에서"
        "|대학 캠퍼스에서|시장 앞에서|시청에서",
        "T": "지난봄|화요일 아침|긴 토론 끝에|이번 달 초|겨울 동안|늦은 오후|두 해 전|명절 직전",
    },
    "ja": {
        "tpl": "{S}{T}、{P}{O}{V}。|{T}、{S}{O}{V}。|住民によると、その計画は{A}。"
        "|およそ{N}人が{P}集まり、{O}について語り合った。|多くの人はその計画が{A}と言っている。"
        "|報告書によれば、{O}は{A}。|{S}{N}日後にようやく{O}{V}。|{P}の雰囲気は{A}。",
        "S": "市議会は|私たちの研究チームは|ボランティアの人たちは|地域の図書館は|新しい博物館は"
        "|若いエンジニアは|学校の委員会は|近所のパン屋さんは|地域の病院は|あるフリーの記者は"
        "|サッカークラブは|私の祖母は",
        "V": "について話し合った|を見直した|について説明した|に疑問を投げかけた|を発表した"
        "|について報告書をまとめた|を支援すると約束した|の会議を延期した|を詳しく調べた"
        "|について意見を集めた",
        "O": "来年の予算|古い橋の修理計画|港の歴史|安いバス路線の提案|アンケートの結果"
        "|共同菜園の計画|公園の利用ルール|大人向けの講座|乾いた夏の影響|古い写真の展覧会"
        "|新鮮な野菜の値段|新しい自転車道",
        "A": "驚くほど簡単だった|思ったより静かだった|かなり高かった|とても人気があった"
        "|丁寧に準備されていた|まだ完成していなかった|少し分かりにくかった|本当に役に立った"
        "|かなり野心的だった|とても現代的だった",
        "P": "古い駅の近くで|北の地区で|公民館で|川沿いで|小さな村で|大学のキャンパスで"
        "|市場の前で|市役所で",
        "T": "去年の春|火曜日の朝|長い議論の末|今月の初め|冬の間|夕方遅く|二年前|連休の前",
    },
    "zh": {
        "tpl": "{S}{T}{P}{V}{O}。|{T}，{S}{V}{O}。|据居民说，这个项目{A}。"
        "|大约{N}人{P}聚集，讨论{O}。|很多人认为这个计划{A}，但{S}并不同意。|报告称{O}{A}。"
        "|过了{N}天，{S}才{V}{O}。|{P}，气氛{A}。",
        "S": "市议会|我们的研究小组|一群志愿者|社区图书馆|新开的博物馆|一位年轻的工程师"
        "|学校委员会|附近的几家面包店|地区医院|一位独立记者|当地的足球俱乐部|我的奶奶",
        "V": "讨论了|审查了|改进了|质疑了|支持了|记录了|重新设计了|庆祝了|推迟了|资助了|研究了"
        "|解释了",
        "O": "明年的预算|修复旧桥的计划|港口的历史|降低公交票价的提议|问卷调查的结果"
        "|社区菜园项目|公园的使用规定|成人教育课程|干旱夏天带来的影响|老照片展览|新鲜蔬菜的价格"
        "|新的自行车道",
        "A": "出奇地简单|格外安静|相当昂贵|非常受欢迎|经过精心准备|还没有完成|有点令人困惑"
        "|确实很有用|相当有雄心|非常现代",
        "P": "在老火车站附近|在城北地区|在社区中心|在河边|在一个小村庄里|在大学校园里|在市场门口"
        "|在市政厅",
        "T": "去年春天|星期二早上|经过长时间的讨论|这个月初|整个冬天|傍晚时分|两年前|节日前夕",
    },
    "ar": {
        "tpl": "{V} {S} {O} {T}.|{T}، {V} {S} {O} {P}.|بحسب السكان، كان المشروع {A}."
        "|اجتمع نحو {N} شخصا {P} لمناقشة {O}.|رأى كثيرون أن الخطة كانت {A}، لكن {S} لم يوافق."
        "|وصف التقرير المشروع بأنه كان {A}.|مرت {N} يوما قبل أن يقدم {S} {O}."
        "|{P} كان الجو {A} عندما {V} {S} {O}.",
        "S": "المجلس البلدي|فريق البحث لدينا|مجموعة من المتطوعين|المكتبة العامة|المتحف الجديد"
        "|مهندس شاب|مجلس المدرسة|صاحب المخبز المحلي|المستشفى الإقليمي|صحفي مستقل|نادي كرة القدم"
        "|جدي",
        "V": "ناقش|راجع|حسّن|انتقد|دعم|وثّق|قدّم|أجّل|موّل|درس|شرح|عرض",
        "O": "ميزانية العام المقبل|خطة إصلاح الجسور القديمة|تاريخ الميناء|اقتراحا لحافلات أرخص"
        "|نتائج الاستطلاع|مشروع الحديقة المشتركة|قواعد الحدائق العامة|برنامجا لتعليم الكبار"
        "|آثار الصيف الجاف|معرضا للصور القديمة|أسعار الخضروات الطازجة|مسارا جديدا للدراجات",
        "A": "بسيطا بشكل مفاجئ|هادئا جدا|مكلفا إلى حد ما|مشهورا جدا|مخططا بعناية"
        "|غير مكتمل تقريبا|مربكا بعض الشيء|مفيدا حقا|طموحا للغاية|حديثا جدا",
        "P": "قرب المحطة القديمة|في الحي الشمالي|في المركز الثقافي|على ضفة النهر|في قرية صغيرة"
        "|في الحرم الجامعي|أمام السوق|في مبنى البلدية",
        "T": "في الربيع الماضي|صباح الثلاثاء|بعد نقاش طويل|في بداية الشهر|خلال الشتاء"
        "|في وقت متأخر من المساء|قبل عامين|قبل العطلة",
    },
    "hi": {
        "tpl": "{S} {T} {O} {V}।|{T} {P} {S} {O} {V}।|निवासियों के अनुसार यह परियोजना {A} थी।"
        "|लगभग {N} लोग {P} इकट्ठा हुए और {O} पर बात की।|कई लोगों को लगा कि योजना {A} थी।"
        "|रिपोर्ट में परियोजना को {A} बताया गया।|{N} दिन बाद {S} {O} {V}।|{P} माहौल {A} था।",
        "S": "नगर परिषद ने|हमारी शोध टीम ने|स्वयंसेवकों के एक समूह ने|स्थानीय पुस्तकालय ने"
        "|नए संग्रहालय ने|एक युवा इंजीनियर ने|स्कूल समिति ने|पास की बेकरियों ने|ज़िला अस्पताल ने"
        "|एक स्वतंत्र पत्रकार ने|फ़ुटबॉल क्लब ने|मेरी दादी ने",
        "V": "पर चर्चा की|की समीक्षा की|के बारे में सवाल उठाए|का समर्थन किया|पर रिपोर्ट लिखी"
        "|के बारे में बताया|पर विचार किया|की जाँच की|पर बैठक टाल दी|के लिए पैसा जुटाया",
        "O": "अगले साल के बजट|पुराने पुलों की मरम्मत की योजना|बंदरगाह के इतिहास"
        "|सस्ती बसों के प्रस्ताव|सर्वेक्षण के नतीजों|साझा बगीचे की परियोजना|पार्कों के नियमों"
        "|वयस्कों के लिए कार्यक्रम|सूखी गर्मी के असर|पुरानी तस्वीरों की प्रदर्शनी|ताज़ी सब्ज़ियों के दाम"
        "|नई साइकिल लेन",
        "A": "हैरानी की हद तक आसान|काफ़ी शांत|थोड़ा महँगा|बहुत लोकप्रिय|सावधानी से तैयार|लगभग अधूरा"
        "|थोड़ा उलझा हुआ|सचमुच उपयोगी|काफ़ी महत्वाकांक्षी|बहुत आधुनिक",
        "P": "पुराने स्टेशन के पास|उत्तरी इलाके में|सामुदायिक केंद्र में|नदी के किनारे"
        "|एक छोटे गाँव में|विश्वविद्यालय परिसर में|बाज़ार के सामने|नगर भवन में",
        "T": "पिछले वसंत में|मंगलवार सुबह|लंबी बहस के बाद|इस महीने की शुरुआत में"
        "|सर्दियों के दौरान|देर शाम|दो साल पहले|छुट्टियों से पहले",
    },
    "th": {
        "tpl": "{S}{V}{O}{P}{T}|{T} {S}{V}{O}|ชาวบ้านบอกว่าโครงการนี้{A}"
        "|มีผู้คนประมาณ {N} คนมารวมตัวกัน{P}เพื่อพูดคุยเรื่อง{O}|หลายคนคิดว่าแผนนี้{A} แต่{S}ไม่เห็นด้วย"
        "|รายงานระบุว่า{O}{A}|ผ่านไป {N} วัน {S}จึง{V}{O}|บรรยากาศ{P}{A}",
        "S": "สภาเมือง|ทีมวิจัยของเรา|กลุ่มอาสาสมัคร|ห้องสมุดชุมชน|พิพิธภัณฑ์แห่งใหม่|วิศวกรหนุ่มคนหนึ่ง"
        "|คณะกรรมการโรงเรียน|ร้านขนมปังในละแวกนี้|โรงพยาบาลประจำจังหวัด|นักข่าวอิสระคนหนึ่ง"
        "|สโมสรฟุตบอล|คุณยายของฉัน",
        "V": "ได้หารือเรื่อง|ได้ทบทวน|ได้ปรับปรุง|ได้ตั้งคำถามเกี่ยวกับ|ได้สนับสนุน|ได้บันทึก|ได้นำเสนอ"
        "|ได้เลื่อน|ได้ให้ทุนแก่|ได้อธิบาย",
        "O": "งบประมาณปีหน้า|แผนซ่อมสะพานเก่า|ประวัติศาสตร์ของท่าเรือ|ข้อเสนอเรื่องรถเมล์ราคาถูก"
        "|ผลการสำรวจ|โครงการสวนผักชุมชน|กฎการใช้สวนสาธารณะ|หลักสูตรสำหรับผู้ใหญ่"
        "|ผลกระทบจากหน้าร้อนที่แห้งแล้ง|นิทรรศการภาพถ่ายเก่า|ราคาผักสด|ทางจักรยานสายใหม่",
        "A": "เรียบง่ายอย่างน่าประหลาดใจ|เงียบสงบมาก|ค่อนข้างแพง|ได้รับความนิยมมาก|เตรียมไว้อย่างดี"
        "|ยังไม่เสร็จสมบูรณ์|ค่อนข้างสับสน|มีประโยชน์จริง ๆ|ทะเยอทะยานมาก|ทันสมัยมาก",
        "P": "ใกล้สถานีรถไฟเก่า|ในย่านทางเหนือ|ที่ศูนย์ชุมชน|ริมแม่น้ำ|ในหมู่บ้านเล็ก ๆ|ในมหาวิทยาลัย"
        "|หน้าตลาด|ที่ศาลากลาง",
        "T": "เมื่อฤดูใบไม้ผลิที่แล้ว|เมื่อเช้าวันอังคาร|หลังจากการถกเถียงอันยาวนาน|เมื่อต้นเดือนนี้"
        "|ตลอดฤดูหนาว|ในช่วงเย็น|เมื่อสองปีก่อน|ก่อนวันหยุดยาว",
    },
}
LEXICON = {
    lang: {key: value.split("|") for key, value in entries.items()}
    for lang, entries in _RAW_LEXICON.items()
}
SLOTS = ("S", "V", "O", "A", "P", "T")
UNSPACED = frozenset({"ja", "zh"})  # sentences are joined without a space
LANG_WEIGHTS = {"en": 4, "ko": 2, "ja": 2, "zh": 2, "de": 2, "fr": 2, "es": 2, "ru": 2,
                "it": 1, "pt": 1, "ar": 1, "hi": 1, "th": 1}
CATEGORY_WEIGHTS = {"prose": 80.0, "noise_symbols": 3.0, "noise_code": 3.0,
                    "exact_duplicates": 4.0, "near_duplicates": 4.0, "pii": 4.0,
                    "offensive": 1.5, "empty": 0.5}
NO_LANG = "und"

PII_EN = (
    "You can reach {name} at {email} or call {phone_us}.",
    "For the London office, dial {phone_uk} or write to {email}.",
    "Payment was made with card {card}, please do not share it.",
    "Her resident registration number is {rrn}, according to the form.",
    "The login came from {ip} using the account {email}.",
    "Call me on my cell at {phone_us} after six, thanks!",
    "The Seoul branch can be reached at {phone_kr_land} or {phone_kr_mobile}.",
)
PII_KO = (
    "문의 사항은 {email} 또는 {phone_kr_mobile}로 연락 주세요.",
    "서울 사무실 전화번호는 {phone_kr_land}입니다.",
    "주민등록번호 {rrn}을 확인해 주시기 바랍니다.",
    "결제에 사용한 카드 번호는 {card}입니다.",
    "접속 기록에는 {ip} 주소가 남아 있었습니다.",
    "해외 담당자 연락처는 {phone_us}, {email}입니다.",
)
HARD_NEGATIVES = (  # PII look-alikes that a PII filter must leave alone
    "Make sure you run Python {version} or newer, the old build was retired on {date}.",
    "The hardcover edition (ISBN 978-3-16-148410-0) now sells for {price}.",
    "Version {version} of the app was released on {date} and costs {price} per seat.",
    "Our catalogue lists ISBN {isbn} at {price}, valid until {date}.",
)
INSULTS = (  # mild, no slurs
    "You are a stupid idiot.", "Shut up, moron.", "What a brainless clown you are.",
    "Only a complete fool would write something this dumb.", "Get lost, you worthless jerk.",
    "Nobody cares about your opinion, you pathetic loser.",
    "This is idiotic garbage written by an imbecile.",
)
JS_CODE = (
    "function {f}({a},{b}){{return {a}.map(function({c}){{return {c}*{b}+{n}}})}}",
    'var {a}={{{w}:{n},{c}:"{w}",{f}:[{n},{n},{n}]}};',
    '{a}.addEventListener("click",function({b}){{{b}.preventDefault();{c}({b}.target,{n})}});',
    "if(!{a}||{a}.length<{n}){{{b}=[];}}else{{{b}={a}.slice(0,{n})}}",
    "for(var {a}=0;{a}<{b}.length;{a}++){{{c}[{a}]={b}[{a}]^{n}}}",
    'document.querySelector("#{w}").style.cssText="color:#{h};margin:{n}px";',
    'window.{f}=function(){{return JSON.parse(localStorage.getItem("{w}")||"{{}}")}};',
    "{a}=({b}||{{}})[{c}]||[],{b}[{c}]={a};!{a}&&({a}={{}}),{a}[{c}]=[{a},{b},{c}];",
    "{f}=function({a},{b}){{return({a}<{b})?-1:({a}>{b})?1:0}};",
    'return{{{a}:{b},{c}:[{n},{n}],"{w}":!0,{f}:void 0}};',
)
CSS_CODE = (
    ".{w}-{w}>li{{margin:0 {n}px;padding:{n}px;color:#{h};font:{n}px/1.2 Arial,sans-serif}}",
    "@media (max-width:{n}px){{.{w}{{display:none}}.{w}__{w}{{float:left;width:{n}%}}}}",
    "#{w}:hover,.{w}:focus{{background:rgba({n},{n},{n},.5);border:1px solid #{h}}}",
    '.{w}::after{{content:"";position:absolute;top:{n}px;z-index:{n};transition:all .{n}s}}',
    ".{w}>*,.{w}+.{w},.{w}~p{{margin:0;padding:0}}*{{box-sizing:border-box}}",
)
SYMBOLS = "#@!$%^&*()[]{}<>~|+=_/\\:;?★☆♥♦♣♠•◆■□▲▼※→←↑↓─│┌┐└┘├┤┬┴┼═║╔╗╚╝😀😂🔥💯👍🎉✨🚀💥🤖"
NOISE_WORDS = ("click", "here", "FREE", "win", "SALE", "lol", "omg", "wow", "BUY NOW", "best", "deal")
FIRST_NAMES = ("emily", "james", "sophie", "lucas", "minjun", "jiwoo", "hana", "oliver", "chloe", "yuki")
LAST_NAMES = ("carter", "oneil", "martin", "mueller", "kim", "park", "lee", "tanaka", "garcia", "rossi")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.kr", "corp.example.co.uk")
CSS_WORDS = ("nav", "menu", "btn", "card", "hero", "item", "modal", "footer", "grid", "icon", "tab")
URL_WORDS = ("local", "report", "notes", "city", "garden", "update", "review", "story", "guide", "weekly")
URL_SECTIONS = ("news", "blog", "forum", "wiki", "shop", "docs")
EMPTY_TEXTS = ("", " ", "\n", "   \t ", "\n\n  \n")
# (file index, line position, raw bytes): deliberately broken JSONL lines for --with-bad-records.
BAD_RECORDS = (
    (0, 3, b'{"id": "bad-000001", "text": "unterminated string, "url": \n'),
    (0, 10, b'{"id": "bad-000002", "text": "caf\xe9 \xff\xfe not utf-8", "source": "demo"}\n'),
    (1, 3, b'{"id": "bad-000003", "url": "https://example-und.test/bad/3", "source": "demo"}\n'),
    (1, 10, b'{"id": "bad-000004", "text": 12345, "source": "demo"}\n'),
)
COLUMNS = ("id", "text", "url", "source")
Maker = Callable[[random.Random], str]


@cache
def fields_of(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def render(rng: random.Random, template: str, makers: dict[str, Maker]) -> str:
    """Fill a format template, drawing each field from its maker."""
    return template.format(**{name: makers[name](rng) for name in fields_of(template)})


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choices(string.digits, k=count))


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def rrn_check_digit(first12: str) -> str:
    """Check digit of a Korean resident registration number."""
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    return str((11 - sum(int(d) * w for d, w in zip(first12, weights, strict=True)) % 11) % 10)


def credit_card(rng: random.Random) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("37", 15)))
    number = prefix + digits(rng, length - len(prefix) - 1)
    number += luhn_check_digit(number)
    if length == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return rng.choice((" ", "-", "")).join(number[i : i + 4] for i in range(0, 16, 4))


def resident_number(rng: random.Random) -> str:
    year = rng.randint(1950, 2009)
    sex = rng.choice("12" if year < 2000 else "34")
    body = f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{sex}{digits(rng, 5)}"
    return f"{body[:6]}-{body[6:]}{rrn_check_digit(body)}"


def email(rng: random.Random) -> str:
    user = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}{rng.randint(1, 99)}"
    return f"{user}@{rng.choice(EMAIL_DOMAINS)}"


def phone_us(rng: random.Random) -> str:
    area, line = rng.choice((206, 212, 312, 415, 617)), rng.randint(100, 199)
    return rng.choice((f"+1 ({area}) 555-0{line}", f"({area}) 555-0{line}", f"{area}-555-0{line}"))


def ip_address(rng: random.Random) -> str:
    prefix = rng.choice(("192.168.", "10.0.", "172.16.", "203.0.113.", "198.51.100."))
    return prefix + ".".join(str(rng.randint(1, 254)) for _ in range(4 - prefix.count(".")))


def isbn13(rng: random.Random) -> str:
    body = "978" + digits(rng, 9)
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body[:3]}-{body[3]}-{body[4:6]}-{body[6:]}-{check}"


def iso_date(rng: random.Random) -> str:
    return f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


PII_MAKERS: dict[str, Maker] = {
    "name": lambda rng: f"{rng.choice(FIRST_NAMES).title()} {rng.choice(LAST_NAMES).title()}",
    "email": email,
    "phone_us": phone_us,
    "phone_uk": lambda rng: f"+44 20 7946 0{digits(rng, 3)}",
    "phone_kr_mobile": lambda rng: f"010-{digits(rng, 4)}-{digits(rng, 4)}",
    "phone_kr_land": lambda rng: f"02-{rng.randint(200, 999)}-{digits(rng, 4)}",
    "card": credit_card,
    "rrn": resident_number,
    "ip": ip_address,
    "version": lambda rng: f"{rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}",
    "date": iso_date,
    "price": lambda rng: f"${rng.randint(1, 9)},{digits(rng, 3)}.{rng.choice(('00', '50', '99'))}",
    "isbn": isbn13,
}
CODE_MAKERS: dict[str, Maker] = {
    **dict.fromkeys("abcf", lambda rng: rng.choice(string.ascii_lowercase) * rng.randint(1, 2)),
    "n": lambda rng: str(rng.randint(0, 99)),
    "w": lambda rng: rng.choice(CSS_WORDS),
    "h": lambda rng: "".join(rng.choices("0123456789abcdef", k=rng.choice((3, 6)))),
}


def sentence(rng: random.Random, lang: str) -> str:
    words = LEXICON[lang]
    template = rng.choice(words["tpl"])
    values = {
        name: str(rng.randint(2, 480)) if name == "N" else rng.choice(words[name])
        for name in fields_of(template)
    }
    text = template.format(**values)
    return text[0].upper() + text[1:]


def paragraphs(rng: random.Random, lang: str, target: int) -> list[list[str]]:
    """Sentences grouped into paragraphs of 2-5, about ``target`` characters in all."""
    paras: list[list[str]] = [[]]
    planned, size = rng.randint(2, 5), 0
    while size < target:
        if len(paras[-1]) == planned:
            paras.append([])
            planned = rng.randint(2, 5)
        paras[-1].append(sentence(rng, lang))
        size += len(paras[-1][-1]) + 1
    return paras


def insert_sentences(rng: random.Random, paras: list[list[str]], extra: Sequence[str]) -> None:
    for text in extra:
        para = rng.choice(paras)
        para.insert(rng.randint(0, len(para)), text)


def join_paragraphs(paras: list[list[str]], lang: str) -> str:
    separator = "" if lang in UNSPACED else " "
    return "\n\n".join(separator.join(para) for para in paras)


def noise_symbols(rng: random.Random) -> str:
    """Symbol soup with a few words, far above 60 % punctuation/symbol characters."""
    parts: list[str] = []
    size, target = 0, rng.randint(200, 1500)
    while size < target:
        roll = rng.random()
        if roll < 0.15:
            part = f" {rng.choice(NOISE_WORDS)} "
        elif roll < 0.35:
            part = rng.choice(SYMBOLS) * rng.randint(4, 20)
        else:
            part = "".join(rng.choices(SYMBOLS, k=rng.randint(5, 30)))
        parts.append(part + ("\n" if rng.random() < 0.08 else ""))
        size += len(parts[-1])
    return "".join(parts)


def noise_code(rng: random.Random) -> str:
    """One long line of minified JavaScript or CSS."""
    is_js = rng.random() < 0.6
    parts: list[str] = []
    size, target = 0, rng.randint(1000, 5000)
    while size < target:
        parts.append(render(rng, rng.choice(JS_CODE if is_js else CSS_CODE), CODE_MAKERS))
        size += len(parts[-1])
    body = "".join(parts)
    return f'!function(){{"use strict";{body}}}();' if is_js else body


def swap_words(rng: random.Random, text: str, lang: str) -> str:
    """Replace a few lexicon words (one per 1,000 characters) with others of the same slot."""
    for _ in range(1 + len(text) // 1000):
        options = LEXICON[lang][rng.choice(SLOTS)]
        present = [word for word in options if word in text]
        if present:
            old = rng.choice(present)
            text = text.replace(old, rng.choice([w for w in options if w != old]), 1)
    return text


def change_whitespace(rng: random.Random, text: str, lang: str) -> str:
    variant = rng.randrange(3)
    if variant == 0:
        return text.replace("\n\n", "\n")
    if variant == 1:
        return re.sub(r"(?<=[.!?]) ", "  ", text)
    return f"  {text}\n\n"


def lowercase_paragraph(rng: random.Random, text: str, lang: str) -> str:
    paras = text.split("\n\n")
    index = rng.randrange(len(paras))
    paras[index] = paras[index].lower()
    return "\n\n".join(paras)


def append_sentence(rng: random.Random, text: str, lang: str) -> str:
    return text + ("" if lang in UNSPACED else " ") + sentence(rng, lang)


NEAR_DUPLICATE_EDITS = (swap_words, change_whitespace, lowercase_paragraph, append_sentence)


def make_url(rng: random.Random, lang: str, index: int) -> str:
    slug = "-".join(rng.sample(URL_WORDS, k=rng.randint(2, 3)))
    return f"https://example-{lang}.test/{rng.choice(URL_SECTIONS)}/{slug}-{index}.html"


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    url: str
    lang: str
    category: str


class CorpusBuilder:
    """Draws every category, text and URL from one seeded random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.prose: list[tuple[str, str]] = []  # (text, lang) of prose docs: duplicate sources
        self.hard_negatives = 0
        self.makers: dict[str, Callable[[], tuple[str, str]]] = {
            "prose": self.prose_doc,
            "noise_symbols": lambda: (noise_symbols(self.rng), NO_LANG),
            "noise_code": lambda: (noise_code(self.rng), NO_LANG),
            "exact_duplicates": lambda: self.rng.choice(self.prose),
            "near_duplicates": self.near_duplicate,
            "pii": self.pii_doc,
            "offensive": self.offensive_doc,
            "empty": lambda: (self.rng.choice(EMPTY_TEXTS), NO_LANG),
        }

    def build(self, count: int) -> list[Doc]:
        docs: list[Doc] = []
        categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
        for index in range(count):
            category = self.rng.choices(categories, weights)[0]
            if category.endswith("_duplicates") and not self.prose:
                category = "prose"
            text, lang = self.makers[category]()
            url = make_url(self.rng, lang, index)
            docs.append(Doc(f"demo-{index:06d}", text, url, lang, category))
        return docs

    def language(self) -> str:
        return self.rng.choices(list(LANG_WEIGHTS), list(LANG_WEIGHTS.values()))[0]

    def hard_negative_lines(self) -> list[str]:
        self.hard_negatives += 1
        count = self.rng.randint(1, 2)
        return [render(self.rng, t, PII_MAKERS) for t in self.rng.sample(HARD_NEGATIVES, count)]

    def prose_doc(self) -> tuple[str, str]:
        lang = self.language()
        paras = paragraphs(self.rng, lang, self.rng.randint(300, 2750))
        if lang == "en" and self.rng.random() < 0.1:
            insert_sentences(self.rng, paras, self.hard_negative_lines())
        text = join_paragraphs(paras, lang)
        self.prose.append((text, lang))
        return text, lang

    def near_duplicate(self) -> tuple[str, str]:
        # The longest of three candidates: a few edits to a very short text are not "small".
        source, lang = max(self.rng.choices(self.prose, k=3), key=lambda item: len(item[0]))
        text = source
        for edit in self.rng.sample(NEAR_DUPLICATE_EDITS, 2):
            text = edit(self.rng, text, lang)
        return (text if text != source else append_sentence(self.rng, text, lang)), lang

    def pii_doc(self) -> tuple[str, str]:
        lang = self.language()
        paras = paragraphs(self.rng, lang, self.rng.randint(300, 2200))
        templates = PII_KO if lang == "ko" else PII_EN
        count = self.rng.randint(1, 4)
        lines = [render(self.rng, self.rng.choice(templates), PII_MAKERS) for _ in range(count)]
        if self.rng.random() < 0.5:
            lines += self.hard_negative_lines()
        insert_sentences(self.rng, paras, lines)
        return join_paragraphs(paras, lang), lang

    def offensive_doc(self) -> tuple[str, str]:
        paras = paragraphs(self.rng, "en", self.rng.randint(300, 2400))
        insert_sentences(self.rng, paras, self.rng.sample(INSULTS, self.rng.randint(1, 3)))
        return join_paragraphs(paras, "en"), "en"


def record(doc: Doc) -> dict[str, str]:
    return {"id": doc.id, "text": doc.text, "url": doc.url, "source": "demo"}


def write_jsonl_gz(path: Path, docs: Sequence[Doc], bad_lines: Sequence[tuple[int, bytes]]) -> None:
    """Gzip JSONL with a fixed header (mtime 0, fixed inner name) so output is reproducible."""
    lines = [json.dumps(record(doc), ensure_ascii=False).encode() + b"\n" for doc in docs]
    for position, raw in sorted(bad_lines, reverse=True):
        lines.insert(min(position, len(lines)), raw)
    inner_name = path.name.removesuffix(".gz")
    with path.open("wb") as out, gzip.GzipFile(inner_name, "wb", 6, out, mtime=0) as gz:
        gz.writelines(lines)


def write_parquet(path: Path, docs: Sequence[Doc]) -> None:
    rows = [record(doc) for doc in docs]
    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    table = pa.table({name: [row[name] for row in rows] for name in COLUMNS}, schema=schema)
    pq.write_table(table, path, compression="zstd")


def write_labels(path: Path, docs: Sequence[Doc]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("id", "category", "lang"))
        writer.writerows((doc.id, doc.category, doc.lang) for doc in docs)


def write_corpus(out_dir: Path, docs: list[Doc], with_bad_records: bool) -> None:
    """Split the docs in generation order over two JSONL files and one Parquet file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bounds = [len(docs) * part // 3 for part in range(4)]
    for part, name in enumerate(("web-00.jsonl.gz", "web-01.jsonl.gz")):
        bad = [(pos, raw) for file, pos, raw in BAD_RECORDS if file == part and with_bad_records]
        write_jsonl_gz(out_dir / name, docs[bounds[part] : bounds[part + 1]], bad)
    write_parquet(out_dir / "web-02.parquet", docs[bounds[2] :])
    write_labels(out_dir / "labels.csv", docs)


def print_summary(docs: Sequence[Doc], hard_negatives: int, bad_records: int) -> None:
    counts = Counter(doc.category for doc in docs)
    print(f"{'category':<18}{'docs':>8}{'share':>8}")
    for category in CATEGORY_WEIGHTS:
        print(f"{category:<18}{counts[category]:>8}{counts[category] / len(docs):>8.1%}")
    print(f"{'total':<18}{len(docs):>8}")
    print(f"docs with PII look-alikes (hard negatives): {hard_negatives}")
    print(f"bad JSONL records: {bad_records}")


# The demo tokenizer: a toy (a real run uses its model's tokenizer.json), trained here because
# no tokenizer ships offline; 400 documents keep the training near one second.
TOKENIZER_DOCS = 400
TOKENIZER_VOCAB = 4000


def write_tokenizer(path: Path, docs: Sequence[Doc]) -> float:
    """Train a byte-level BPE tokenizer on the first documents and save it; the seconds it took."""
    import time

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    started = time.perf_counter()
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=TOKENIZER_VOCAB, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator([record(doc)["text"] for doc in docs[:TOKENIZER_DOCS]], trainer)
    path.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(path))
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to write the corpus into")
    parser.add_argument("--docs", type=int, default=3000, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--with-bad-records", action="store_true",
                        help="add malformed lines to the JSONL files")
    parser.add_argument("--tokenizer", type=Path,
                        help=f"also train a toy byte-level BPE tokenizer ({TOKENIZER_VOCAB:,} tokens, on "
                             f"{TOKENIZER_DOCS} documents) and save it here, for `tokenizer:`")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    builder = CorpusBuilder(args.seed)
    docs = builder.build(args.docs)
    write_corpus(args.out_dir, docs, args.with_bad_records)
    print_summary(docs, builder.hard_negatives, len(BAD_RECORDS) if args.with_bad_records else 0)
    if args.tokenizer:
        seconds = write_tokenizer(args.tokenizer, docs)
        print(f"toy tokenizer (byte-level BPE, {TOKENIZER_VOCAB:,} tokens, trained on {TOKENIZER_DOCS} "
              f"documents in {seconds:.1f} s): {args.tokenizer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
