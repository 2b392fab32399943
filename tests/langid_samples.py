"""Multilingual text samples for testing the fastText language-identification filter.

``SAMPLES`` maps an ISO 639-1 language code to two groups of original, hand-written text:

* ``short``: six everyday sentences (20-100 characters) about news, weather, shopping, travel,
  family or work;
* ``long``: two coherent paragraphs (600-1500 characters) in the language's usual script.

Every item is meant to be unambiguous for a native speaker and is checked against the
``lid.176`` fastText model, so tests can assert that the filter keeps or drops each language.
Chinese and Japanese text has no spaces between words; long paragraphs are split across source
lines with implicit string concatenation only to respect the line-length limit.
"""

SAMPLES: dict[str, dict[str, list[str]]] = {
    "en": {
        "short": [
            "The weather should clear up by the afternoon, so we can walk to the market.",
            "My sister called this morning to say the kids are feeling much better.",
            "Could you tell me where the nearest pharmacy is, please?",
            "The train to the coast was delayed because of maintenance on the tracks.",
            "I bought fresh bread and a few apples on the way home from work.",
            "The city council announced new bike lanes for the downtown streets.",
        ],
        "long": [
            (
                "Every Saturday morning, the small square near our house turns into a busy farmers' "
                "market. Local growers arrive early with crates of vegetables, baskets of eggs, and "
                "jars of honey, and by eight o'clock the first customers are already wandering between "
                "the stalls. I like to go before the crowds, when the air still smells of fresh bread "
                "and coffee from the bakery next door. Over the years I have come to know several of "
                "the sellers by name. One older couple grows the sweetest tomatoes I have ever tasted, "
                "and they are always happy to explain how they keep their plants healthy without using "
                "much water. Another stall sells cheese made from the milk of a few goats that live on "
                "a hill outside town. Shopping this way takes a little longer than a quick trip to the "
                "supermarket, but it feels more personal, and the food really does taste better. On "
                "the way home I usually stop at the park, sit on a bench for a few minutes, and watch "
                "children feeding the ducks by the pond."
            ),
            (
                "When our office decided to let people work from home two days a week, I was not sure "
                "how I would feel about it. At first it seemed strange to start the day without the "
                "usual commute, the crowded train, and the quick chat with colleagues by the coffee "
                "machine. After a few weeks, however, I noticed that I was getting more done in the "
                "quiet mornings and that I had time to cook a proper lunch instead of grabbing a "
                "sandwich. The biggest challenge was learning to stop working at a reasonable hour, "
                "because the laptop was always sitting on the kitchen table. Now I close it at six "
                "o'clock and go for a short walk around the neighbourhood to mark the end of the day. "
                "On the days I do go into the office, meetings feel more useful, and I appreciate "
                "seeing my team in person. For many of us, this mix of home and office has turned out "
                "to be a comfortable balance, although everyone still misses the free biscuits a "
                "little."
            ),
        ],
    },
    "ko": {
        "short": [
            "오늘 오후에는 비가 그치고 날씨가 점점 맑아질 것 같아요.",
            "어머니께서 주말에 김치를 담가서 택배로 보내 주셨어요.",
            "혹시 이 근처에 가까운 약국이 어디에 있는지 아세요?",
            "지하철이 고장 나는 바람에 회사에 조금 늦게 도착했습니다.",
            "동네 시장에서 신선한 과일과 채소를 아주 싸게 샀어요.",
            "다음 달부터 버스 요금이 조금 오른다고 뉴스에서 들었어요.",
        ],
        "long": [
            (
                "지난 주말에 친구들과 함께 강원도의 한 산으로 단풍 구경을 다녀왔습니다. 아침 일찍 "
                "서울에서 출발했는데도 고속도로에는 벌써 차가 많았습니다. 휴게소에 잠깐 들러 따뜻한 "
                "어묵과 호두과자를 사 먹으니 피곤했던 몸이 조금 풀리는 것 같았습니다. 산 입구에 "
                "도착하자 빨갛고 노랗게 물든 나무들이 눈앞에 펼쳐져서 모두 감탄을 멈추지 못했습니다. "
                "우리는 천천히 등산로를 따라 올라가면서 사진도 찍고 맑은 계곡 물소리도 들었습니다. "
                "중간에 바위에 앉아 준비해 간 김밥과 귤을 나누어 먹으며 잠시 쉬기도 했습니다. "
                "정상까지는 두 시간 정도 걸렸는데, 위에서 내려다본 경치는 정말 잊을 수 없을 만큼 "
                "아름다웠습니다. 멀리 겹겹이 이어진 산줄기와 작은 마을들이 한눈에 들어왔고, 시원한 "
                "바람이 불어와 땀을 식혀 주었습니다. 가을 산의 공기는 정말 상쾌해서 도시에서 쌓였던 "
                "스트레스가 모두 사라지는 기분이었습니다. 오르는 내내 다리가 아프다고 투덜거리던 친구 "
                "한 명은 정상에 도착하자 누구보다 먼저 사진을 찍자고 소리쳤습니다. 내려오는 길에는 "
                "작은 식당에서 산채비빔밥과 도토리묵을 먹었는데, 주인 할머니께서 반찬을 여러 번 더 "
                "가져다주셔서 배가 아주 불렀습니다. 집에 돌아오는 길은 많이 막혔지만 차 안에서 "
                "좋아하는 노래를 함께 부르며 즐겁게 시간을 보냈습니다. 다음에는 부모님을 모시고 꼭 "
                "다시 오고 싶다는 생각이 들었습니다."
            ),
            (
                "우리 동네에는 작은 공공 도서관이 하나 있는데, 나는 시간이 날 때마다 그곳에 가서 책을 "
                "읽는다. 건물은 오래되었지만 안은 깨끗하고 조용해서 집중하기에 아주 좋다. 도서관 "
                "앞마당에는 작은 화단과 벤치가 있어서 날씨가 좋은 날에는 밖에 앉아 책을 읽기도 한다. "
                "평일 오후에는 주로 동네 어르신들이 신문을 읽거나 잡지를 넘겨 보고, 학교가 끝나는 "
                "시간이 되면 아이들이 가방을 멘 채 어린이 열람실로 몰려온다. 사서 선생님은 항상 "
                "친절하게 웃으며 새로 들어온 책을 추천해 주신다. 얼마 전에는 선생님 덕분에 요리에 관한 "
                "재미있는 수필집을 알게 되었고, 그 책에 나온 된장찌개 조리법을 따라 해 보기도 했다. "
                "도서관에서는 한 달에 한 번씩 독서 모임도 열리는데, 다양한 나이의 사람들이 모여 같은 "
                "책을 읽고 각자의 생각을 나눈다. 처음에는 낯선 사람들 앞에서 이야기하는 것이 "
                "부끄러웠지만, 지금은 그 모임을 손꼽아 기다리게 되었다. 주말에는 어린이를 위한 동화 "
                "읽기 시간과 어르신들을 위한 컴퓨터 교실도 열린다. 얼마 전 시에서 도서관 건물을 새로 "
                "고친다는 소식을 들었는데, 지금의 편안한 분위기만큼은 그대로 남았으면 좋겠다. 요즘은 "
                "휴대폰으로 쉽게 글을 읽을 수 있지만, 종이 냄새가 나는 책장을 넘기며 천천히 읽는 "
                "즐거움은 여전히 특별하다고 생각한다. 앞으로도 이 도서관이 오랫동안 동네 사람들의 "
                "따뜻한 쉼터로 남아 있었으면 좋겠다."
            ),
        ],
    },
    "ja": {
        "short": [
            "明日の朝は雨が降るそうなので、傘を忘れないでくださいね。",
            "駅前に新しくできたパン屋さんは、いつも行列ができています。",
            "今度の週末は、家族みんなで山の温泉旅行に行く予定です。",
            "すみません、この近くに郵便局があるかどうか教えていただけますか。",
            "会議の資料は昨日のうちに皆さんにメールで送っておきました。",
            "スーパーで野菜と卵を買ってから、子どもを迎えに行きます。",
        ],
        "long": [
            (
                "日本には四つの季節があり、それぞれの季節に合わせた食べ物を楽しむ習慣があります。"
                "春になると、桜の花が咲く公園で家族や友人とお弁当を広げ、"
                "たけのこや菜の花を使った料理を味わいます。春の終わりには、"
                "いちごを使ったお菓子もたくさん店に並びます。夏は暑い日が続くので、"
                "冷たいそうめんやすいかがよく食卓に並びます。夕方には近所で夏祭りが開かれ、"
                "浴衣を着た子どもたちが焼きそばやかき氷を手に楽しそうに歩いている姿を見かけます。"
                "秋は「食欲の秋」とも呼ばれ、新米やさんま、きのこ、栗などがおいしくなる時期です。"
                "私は毎年、祖母の家で栗ご飯を作るのを手伝うのが楽しみでした。"
                "栗の固い皮をむくのは大変でしたが、炊きあがったご飯のいい香りをかぐと、"
                "疲れなどすっかり忘れてしまいました。また、秋の夜長には温かいお茶を飲みながら、"
                "焼き芋や柿などを味わうのも楽しみの一つです。冬になると、"
                "寒さをしのぐために鍋料理を囲む家庭が多くなります。白菜や豆腐、"
                "魚などをたっぷり入れた鍋を家族みんなでつつきながら、"
                "その日にあった出来事を話すのは心温まる時間です。大みそかには年越しそばを食べ、"
                "お正月にはおせち料理やお雑煮で新しい年を祝います。"
                "地域によって味付けや具材が違うのも面白いところで、"
                "旅行先でその土地ならではの料理を食べるのも楽しみです。"
                "最近はスーパーで一年中いろいろな野菜が手に入るようになりましたが、"
                "旬のものを旬の時期に食べると、やはり味が違うと感じます。"
                "季節の移り変わりを食卓で感じられることは、日本の暮らしの大きな魅力の一つだと思います。"
            ),
            (
                "私は毎朝七時半ごろに家を出て、電車で会社に通っています。"
                "駅までは歩いて十分ほどかかりますが、朝の空気は気持ちがよく、"
                "季節によって変わる道端の花を眺めるのが小さな楽しみになっています。"
                "電車はいつも混んでいて、座れることはほとんどありません。それでも、"
                "つり革につかまりながらイヤホンで音楽を聴いたり、"
                "スマートフォンでニュースを読んだりして、四十分ほどの時間を過ごしています。"
                "以前は満員電車がとても苦手でしたが、少し早い時間の電車に乗るようにしてからは、"
                "ずいぶん楽になりました。会社の最寄り駅に着くと、駅前のコンビニでおにぎりとお茶を買い、"
                "始業前に自分の席でゆっくり朝ご飯を食べます。雨の日には駅のホームが混雑し、"
                "電車が遅れることもあるので、天気予報を確認して早めに家を出るようにしています。"
                "帰りの電車では、朝とは違って少し疲れた顔の人が多く、"
                "私もつい居眠りをしてしまうことがあります。一度、降りる駅を乗り過ごしてしまい、"
                "終点まで行ってしまったこともありました。それ以来、帰りはなるべく本を読んだり、"
                "窓の外の夜景を眺めたりして、眠らないように気をつけています。"
                "同僚の中には自転車で通勤している人もいて、健康のためにも良いと勧められましたが、"
                "私の家からは少し遠すぎるので、まだ迷っています。最近は在宅勤務の日も増えてきましたが、"
                "電車に揺られながら一日の予定を頭の中で整理する時間は、"
                "意外と大切なものだと感じるようになりました。通勤時間を利用して英語の勉強を始めたという"
                "友人もいて、私も何か新しいことに挑戦してみようかと考えています。"
                "週末には同じ電車に乗って、のんびりと郊外の町へ出かけることもあります。"
            ),
        ],
    },
    "zh": {
        "short": [
            "这几天气温变化很大，早晚比较凉，出门的时候要多穿点衣服。",
            "我妈妈周末包了很多饺子，让我带回去给同事们尝尝。",
            "请问这附近有没有比较便宜的超市或者菜市场？",
            "这家商店的衣服正在打折，价格比平时便宜了不少。",
            "公司下个月要搬到新的办公楼，离地铁站更近了。",
            "我们打算暑假带孩子去海边玩几天，好好放松一下。",
        ],
        "long": [
            (
                "每天早上六点多，我家附近的公园里就已经热闹起来了。有的老人在湖边打太极拳，"
                "动作缓慢而有力；有的阿姨们放着音乐跳广场舞，脸上总是带着笑容；"
                "还有不少年轻人沿着小路跑步，戴着耳机，一圈又一圈。我一般会先慢慢走上两圈，"
                "然后在长椅上坐一会儿，看看湖里的鸭子和远处的柳树。公园门口有一个卖早点的小摊，"
                "老板每天都准时出摊，豆浆、油条、包子和鸡蛋饼都很受欢迎。我最喜欢他家的韭菜盒子，"
                "外皮酥脆，馅料也很新鲜。吃完早饭以后，我再骑共享单车去地铁站上班。"
                "以前我总觉得早起是一件很痛苦的事情，可是自从养成了去公园锻炼的习惯，"
                "我发现自己白天的精神好了很多，晚上也睡得更香了。周末的时候，我还会带着父母一起来散步，"
                "他们也在这里认识了不少新朋友。我妈妈加入了一个合唱队，"
                "每个星期二和星期四上午都会在亭子里练习唱歌；我爸爸则迷上了下象棋，"
                "常常和几位老邻居在树荫下一坐就是一上午，谁输了也不生气，大家说说笑笑，十分开心。"
                "到了春天，公园里的桃花和迎春花陆续开放，很多人专门拿着相机来拍照；夏天的傍晚，"
                "湖边凉风习习，一家老小坐在草地上乘凉聊天；秋天银杏叶变黄，小路上铺满了金色的落叶；"
                "冬天下雪以后，孩子们在空地上堆雪人、打雪仗，笑声传得很远。"
                "听说区政府明年还打算在公园里增加一些健身器材和儿童游乐设施，周围的居民都很期待。"
                "每天傍晚下班回家路过这里，我也常常进去转一转，让忙碌了一天的脑子放松下来。"
                "城市的生活节奏虽然很快，但是能有这样一个安静又充满活力的地方，让人觉得心里很踏实。"
            ),
            (
                "这几年，网上购物已经成为很多家庭日常生活中不可缺少的一部分。以前买衣服、买家电，"
                "大家都要专门抽时间去商场，一家一家地比较价格；现在只要打开手机，动动手指，"
                "就能看到成千上万种商品，还可以查看其他顾客的评价。我妈妈一开始对网购不太放心，"
                "总担心东西质量不好，或者收到的颜色和图片不一样。后来我帮她买了几次日用品和水果，"
                "她发现送货又快又方便，价格也比楼下的超市便宜一些，就慢慢喜欢上了。"
                "现在她经常自己在网上买米、面、油，还学会了和客服聊天，询问什么时候发货。"
                "有一次她买的一箱橙子在路上压坏了几个，她拍了照片发给商家，没过多久对方就给她退了钱，"
                "还专门道了歉，这让她对网购更有信心了。逢年过节的时候，各大网站还会推出各种优惠活动，"
                "很多人会提前把想买的东西放进购物车，等到打折那天再一起付款。对于住在农村的人来说，"
                "网上购物的意义更大，过去很难买到的书籍、电器和生活用品，现在也能很快送到村里的服务站。"
                "快递员每天骑着电动车在小区里来来往往，把一个个包裹送到各家门口，"
                "或者放进楼下的快递柜里。不过，网购也带来了一些问题，比如包装盒和塑料袋太多，"
                "处理起来很麻烦。有的城市已经开始鼓励商家使用可以回收的包装，希望能减少浪费。"
                "我们小区也设立了纸箱回收点，大家拆完快递以后，可以把干净的纸箱放在那里，"
                "由专人统一处理。另外，有些年轻人为了凑满减优惠，常常买了很多根本用不上的东西，"
                "结果堆在家里占地方，这也是一种浪费。我觉得，只要大家在购物的时候多想一想，"
                "买真正需要的东西，网上购物一定会让生活变得更加方便和环保。"
            ),
        ],
    },
    "ru": {
        "short": [
            "Завтра утром обещают сильный снег, так что лучше выйти из дома пораньше.",
            "Мы с детьми купили свежий хлеб и молоко в магазине за углом.",
            "Подскажите, пожалуйста, как быстрее всего доехать до вокзала?",
            "На работе сегодня было совещание, которое длилось почти три часа.",
            "Бабушка испекла пирожки с капустой и пригласила всех на чай.",
            "В новостях сообщили, что в городе скоро откроют новую станцию метро.",
        ],
        "long": [
            (
                "Каждое лето мы всей семьёй уезжаем на дачу, которая находится в небольшой деревне "
                "недалеко от реки. Дом там старый, деревянный, с резными наличниками, которые когда-то "
                "сделал мой дедушка. Как только мы приезжаем, начинается настоящая работа: нужно "
                "прополоть грядки, полить огурцы и помидоры, починить забор и разобрать вещи на "
                "чердаке. Но эта работа никогда не кажется нам скучной. По утрам я люблю выходить на "
                "крыльцо с чашкой горячего чая и слушать, как поют птицы в саду. Днём дети бегают "
                "купаться на речку, а вечером мы вместе собираемся за большим столом на веранде. "
                "Бабушка обязательно варит варенье из клубники или смородины, и весь дом наполняется "
                "сладким ароматом. Иногда к нам заходят соседи, приносят свежее молоко или корзинку "
                "грибов, собранных в лесу. Мы долго разговариваем, вспоминаем прошлые годы и строим "
                "планы на следующее лето. Когда в конце августа приходит время возвращаться в город, "
                "всем становится немного грустно, но мы знаем, что следующим летом обязательно сюда "
                "вернёмся."
            ),
            (
                "Многие мои друзья предпочитают летать на самолёте, но я по-прежнему люблю "
                "путешествовать поездом. В поезде время идёт совсем по-другому: за окном медленно "
                "сменяются поля, леса, маленькие станции и деревни, а ты можешь спокойно читать книгу, "
                "пить чай из стакана в металлическом подстаканнике и разговаривать с попутчиками. "
                "Однажды я ехал в купе с пожилой учительницей, которая всю дорогу рассказывала "
                "интересные истории о своих учениках. Мы делились едой: она угощала меня пирожками с "
                "картошкой, а я её яблоками и печеньем. Ночью под мерный стук колёс спится удивительно "
                "крепко, а утром так приятно проснуться и увидеть за окном незнакомый город. Конечно, "
                "поездка на поезде занимает больше времени, но зато она дарит ощущение настоящего "
                "путешествия. Кроме того, билеты часто стоят дешевле, а на вокзал не нужно приезжать "
                "за несколько часов до отправления. Я думаю, что каждому стоит хотя бы раз проехать "
                "через всю страну по железной дороге, чтобы лучше понять, какая она большая и разная."
            ),
        ],
    },
    "ar": {
        "short": [
            "من المتوقع أن يكون الطقس معتدلاً غداً مع بعض الغيوم في الصباح.",
            "ذهبت مع عائلتي إلى السوق لشراء الخضار والفواكه الطازجة.",
            "هل يمكنك أن تخبرني أين تقع أقرب صيدلية من هنا؟",
            "أعلنت البلدية عن افتتاح حديقة جديدة للأطفال في وسط المدينة.",
            "يعمل أخي في شركة كبيرة ويسافر كثيراً بسبب طبيعة عمله.",
            "سنزور جدتي في نهاية الأسبوع ونتناول طعام الغداء معها.",
        ],
        "long": [
            (
                "تعد القراءة من أجمل العادات التي يمكن أن يكتسبها الإنسان منذ صغره، فهي تفتح أمامه "
                "أبواب المعرفة وتوسع خياله وتساعده على فهم العالم من حوله. في طفولتي كان والدي يصطحبني "
                "كل يوم جمعة إلى مكتبة صغيرة قريبة من بيتنا، وكان يسمح لي باختيار كتاب واحد أحمله معي "
                "إلى البيت. كنت أقضي وقتاً طويلاً بين الرفوف أقلب الصفحات وأتأمل الصور الملونة قبل أن "
                "أقرر أي كتاب سأختار. ومع مرور السنين أصبحت القراءة جزءاً لا يتجزأ من حياتي اليومية، "
                "فلا أنام قبل أن أقرأ بضع صفحات من رواية أو كتاب في التاريخ. واليوم أحاول أن أنقل هذه "
                "العادة إلى أطفالي، فنجلس معاً في المساء ونقرأ قصة قصيرة ثم نتحدث عن شخصياتها "
                "وأحداثها. وقد لاحظت أن ابنتي الصغيرة أصبحت تطرح أسئلة كثيرة وتستخدم كلمات جديدة لم "
                "تكن تعرفها من قبل. صحيح أن الأجهزة الإلكترونية تأخذ الكثير من وقت الأطفال في هذه "
                "الأيام، لكن الكتاب الورقي ما زال يحتفظ بسحره الخاص، ويكفي أن نمنحه قليلاً من الاهتمام "
                "حتى يصبح صديقاً وفياً لأبنائنا."
            ),
            (
                "في الصيف الماضي قررنا أن نقضي إجازتنا في مدينة ساحلية هادئة بعيداً عن زحام العاصمة "
                "وحرارتها. سافرنا بالقطار في رحلة استغرقت نحو أربع ساعات، وكانت المناظر على طول الطريق "
                "رائعة، إذ مررنا بحقول خضراء وقرى صغيرة وبساتين مليئة بأشجار الزيتون والنخيل. استأجرنا "
                "شقة صغيرة تطل على البحر، وكنا نستيقظ كل صباح على صوت الأمواج ونتناول الفطور على "
                "الشرفة. كان الأطفال يقضون معظم النهار على الشاطئ يبنون القلاع من الرمل ويسبحون في "
                "المياه الصافية، بينما كنت أنا وزوجتي نستمتع بالجلوس تحت المظلة وقراءة الكتب. وفي "
                "المساء كنا نتمشى في السوق القديم حيث تباع الأسماك الطازجة والتوابل والحلويات "
                "التقليدية، ثم نتناول العشاء في مطعم بسيط يقدم أطباقاً شهية بأسعار معقولة. أكثر ما "
                "أعجبني في تلك المدينة هو طيبة أهلها وكرمهم، فقد كانوا يرحبون بنا دائماً بابتسامة "
                "ويقدمون لنا النصائح حول الأماكن التي تستحق الزيارة. عدنا إلى البيت ونحن نشعر بالراحة "
                "والنشاط، ووعدنا الأطفال بأن نعود إلى هناك مرة أخرى."
            ),
        ],
    },
    "hi": {
        "short": [
            "आज शाम को तेज़ बारिश होने की संभावना है, इसलिए छाता साथ रखें।",
            "मेरी माँ ने रविवार को सबके लिए बहुत स्वादिष्ट खाना बनाया था।",
            "क्या आप मुझे बता सकते हैं कि सबसे नज़दीकी दवाई की दुकान कहाँ है?",
            "हम अगले महीने छुट्टियों में पहाड़ों पर घूमने जाएँगे।",
            "बाज़ार में आज सब्ज़ियाँ और फल काफ़ी सस्ते मिल रहे थे।",
            "दफ़्तर में नई परियोजना पर काम अगले हफ़्ते से शुरू होगा।",
        ],
        "long": [
            (
                "गर्मियों की छुट्टियों में मैं हर साल अपने दादा-दादी के गाँव जाता था। वह गाँव एक "
                "छोटी-सी नदी के किनारे बसा हुआ था और चारों ओर हरे-भरे खेत फैले हुए थे। सुबह-सुबह "
                "मुर्गों की बाँग और चिड़ियों की चहचहाहट से नींद खुलती थी। दादी चूल्हे पर गरम-गरम "
                "रोटियाँ बनाती थीं और हम सब आँगन में बैठकर दही और गुड़ के साथ नाश्ता करते थे। दिन में "
                "हम बच्चे आम के बगीचे में खेलते, पेड़ों पर चढ़ते और कभी-कभी नदी में नहाने भी चले जाते "
                "थे। दादाजी हमें खेतों में ले जाकर बताते थे कि गेहूँ और धान की फ़सल कैसे उगाई जाती है। "
                "शाम होते ही गाँव के लोग चौपाल पर इकट्ठा होते और देर तक बातें करते रहते थे। रात को छत "
                "पर चारपाई बिछाकर हम तारे गिनते और दादी से पुरानी कहानियाँ सुनते थे। अब शहर की भागदौड़ "
                "भरी ज़िंदगी में वे दिन बहुत याद आते हैं। मुझे लगता है कि गाँव की सादगी और अपनापन हमें "
                "बहुत कुछ सिखाते हैं, जिसे हमें कभी नहीं भूलना चाहिए।"
            ),
            (
                "भारत में रेलगाड़ी से सफ़र करना अपने आप में एक अनोखा अनुभव है। स्टेशन पर पहुँचते ही "
                "चारों तरफ़ भीड़, कुलियों की आवाज़ें और चाय वालों की पुकार सुनाई देती है। पिछले महीने "
                "मैं अपने परिवार के साथ रात की गाड़ी से दूसरे शहर में एक शादी में शामिल होने गया था। "
                "हमारे डिब्बे में कई तरह के लोग थे, कोई अपने बच्चों के साथ छुट्टियाँ मनाने जा रहा था "
                "तो कोई नौकरी के सिलसिले में सफ़र कर रहा था। थोड़ी ही देर में सब आपस में घुल-मिल गए और "
                "अपने घर से लाया हुआ खाना एक-दूसरे के साथ बाँटने लगे। किसी ने आलू के पराठे खिलाए तो "
                "किसी ने घर के बने लड्डू। खिड़की से बाहर खेत, नदियाँ और छोटे-छोटे गाँव तेज़ी से पीछे "
                "छूटते जा रहे थे। रात को ऊपर वाली सीट पर लेटकर पटरियों की आवाज़ सुनते हुए कब नींद आ "
                "गई, पता ही नहीं चला। सुबह जब आँख खुली तो गाड़ी हमारे शहर के स्टेशन पर पहुँचने ही वाली "
                "थी। इस सफ़र ने मुझे याद दिलाया कि अजनबियों के साथ बिताए कुछ घंटे भी कितने यादगार बन "
                "सकते हैं।"
            ),
        ],
    },
    "th": {
        "short": [
            "พรุ่งนี้ตอนบ่ายอาจจะมีฝนตกหนัก อย่าลืมพกร่มไปด้วยนะ",
            "แม่ทำอาหารอร่อยมากให้ทุกคนในครอบครัวกินเมื่อวันอาทิตย์",
            "ขอโทษครับ ไม่ทราบว่าร้านขายยาที่ใกล้ที่สุดอยู่ที่ไหนครับ",
            "ฉันไปซื้อผักและผลไม้สดที่ตลาดใกล้บ้านทุกเช้า",
            "บริษัทของเราจะย้ายไปอยู่ที่อาคารใหม่ในเดือนหน้า",
            "ช่วงปิดเทอมนี้เราวางแผนจะพาลูกไปเที่ยวทะเล",
        ],
        "long": [
            (
                "ทุกเช้าวันเสาร์ ฉันชอบไปเดินตลาดสดใกล้บ้านกับคุณแม่ ตลาดแห่งนี้เปิดตั้งแต่ตีห้า "
                "และคึกคักไปด้วยผู้คนที่มาซื้อของสดสำหรับทำอาหารในแต่ละวัน แม่ค้าพ่อค้าจะนำผัก ผลไม้ "
                "เนื้อสัตว์ และอาหารทะเลมาวางขายอย่างสวยงาม บางร้านขายขนมไทยหลากสี เช่น ขนมชั้น "
                "ขนมถ้วย และทองหยอด ซึ่งเป็นของโปรดของฉันตั้งแต่เด็ก "
                "คุณแม่มักจะซื้อผักจากป้าคนเดิมทุกครั้ง เพราะป้าปลูกผักเองโดยไม่ใช้สารเคมี "
                "และยังแถมพริกกับมะนาวให้เสมอ หลังจากซื้อของเสร็จ เราจะแวะกินโจ๊กร้อน ๆ "
                "กับปาท่องโก๋ที่ร้านเล็ก ๆ ตรงหัวมุมตลาด เจ้าของร้านเป็นคุณลุงใจดีที่จำชื่อลูกค้าประจำไ"
                "ด้ทุกคน การไปตลาดไม่ได้เป็นแค่การจับจ่ายซื้อของเท่านั้น "
                "แต่ยังเป็นโอกาสที่ได้พูดคุยทักทายกับเพื่อนบ้าน "
                "และได้สัมผัสชีวิตความเป็นอยู่ของคนในชุมชน แม้ว่าทุกวันนี้จะมีห้างสรรพสินค้าและร้านสะดว"
                "กซื้อเปิดอยู่ทั่วไป แต่ฉันก็ยังรู้สึกว่าตลาดสดมีเสน่ห์ที่หาไม่ได้จากที่อื่น"
            ),
            (
                "ประเทศไทยมีฤดูฝนที่ยาวนานหลายเดือน โดยปกติจะเริ่มตั้งแต่ช่วงกลางเดือนพฤษภาคมไปจนถึงปลา"
                "ยเดือนตุลาคม ในช่วงนี้ท้องฟ้ามักจะมืดครึ้มในตอนบ่าย และมีฝนตกหนักเป็นพัก ๆ "
                "บางวันฝนตกนานจนถนนในเมืองมีน้ำท่วมขัง ทำให้การจราจรติดขัดมากกว่าปกติ "
                "คนที่ต้องเดินทางไปทำงานจึงต้องเผื่อเวลาและพกร่มหรือเสื้อกันฝนติดตัวไว้เสมอ "
                "อย่างไรก็ตาม ฤดูฝนก็มีข้อดีหลายอย่าง อากาศจะเย็นสบายขึ้น ต้นไม้และทุ่งนาเขียวชอุ่ม "
                "ชาวนาในต่างจังหวัดก็เริ่มลงมือปลูกข้าวกันอย่างขยันขันแข็ง "
                "ฉันชอบนั่งดื่มชาร้อนริมหน้าต่างแล้วฟังเสียงฝนกระทบหลังคา มันทำให้รู้สึกสงบและผ่อนคลาย "
                "เด็ก ๆ ในหมู่บ้านก็มักจะออกมาวิ่งเล่นน้ำฝนกันอย่างสนุกสนาน "
                "ส่วนผู้ใหญ่ก็ช่วยกันเก็บกวาดใบไม้และดูแลท่อระบายน้ำไม่ให้อุดตัน หากเราเตรียมตัวให้ดี "
                "ฤดูฝนก็จะเป็นช่วงเวลาที่น่ารื่นรมย์อีกช่วงหนึ่งของปี"
            ),
        ],
    },
    "de": {
        "short": [
            "Morgen soll es den ganzen Tag regnen, also nimm besser einen Schirm mit.",
            "Meine Großeltern kommen am Wochenende zu Besuch und bringen Kuchen mit.",
            "Entschuldigung, wissen Sie, wo hier die nächste Apotheke ist?",
            "Der Zug nach Hause hatte heute wieder zwanzig Minuten Verspätung.",
            "Im Supermarkt gab es frische Erdbeeren zu einem günstigen Preis.",
            "Die Stadt plant, im nächsten Jahr deutlich mehr Radwege zu bauen.",
        ],
        "long": [
            (
                "Seit ein paar Jahren verbringen meine Frau und ich unseren Sommerurlaub am liebsten "
                "in den Bergen. Wir mieten eine kleine Ferienwohnung in einem ruhigen Dorf und brechen "
                "jeden Morgen nach dem Frühstück zu einer neuen Wanderung auf. Manche Wege führen "
                "gemütlich durch Wiesen und Wälder, andere sind ziemlich steil und verlangen gute "
                "Schuhe und etwas Ausdauer. Unterwegs begegnen uns oft Kühe mit großen Glocken um den "
                "Hals, und an klaren Tagen kann man von den Gipfeln bis weit in die Täler "
                "hinunterschauen. Besonders gern machen wir Pause auf einer Almhütte, wo es frische "
                "Buttermilch, selbst gebackenes Brot und würzigen Käse gibt. Die Wirtin erzählt uns "
                "dann häufig, wie das Leben hier oben im Winter aussieht, wenn der Schnee meterhoch "
                "liegt und die Hütte geschlossen ist. Abends sind wir zwar müde, aber sehr zufrieden, "
                "und schlafen bei offenem Fenster ein, während draußen nur das Rauschen eines Baches "
                "zu hören ist. Für uns gibt es kaum eine schönere Art, sich vom Alltag im Büro zu "
                "erholen."
            ),
            (
                "Seitdem mein Arbeitgeber das Arbeiten von zu Hause erlaubt, hat sich mein Alltag "
                "spürbar verändert. Früher musste ich jeden Morgen um sechs Uhr aufstehen, um "
                "rechtzeitig die überfüllte Straßenbahn zu erwischen. Heute kann ich etwas länger "
                "schlafen, in Ruhe frühstücken und sitze trotzdem pünktlich um acht Uhr am "
                "Schreibtisch. Am Anfang war es allerdings gar nicht so einfach, Beruf und Privatleben "
                "voneinander zu trennen. Der Laptop stand auf dem Esstisch, und ich habe oft noch spät "
                "am Abend E-Mails beantwortet. Inzwischen habe ich mir in einer Ecke des Wohnzimmers "
                "einen kleinen Arbeitsplatz eingerichtet, mit einem bequemen Stuhl und einer guten "
                "Lampe. Nach Feierabend räume ich alles weg, damit ich nicht ständig an die Arbeit "
                "denken muss. Natürlich vermisse ich manchmal die Gespräche mit den Kollegen in der "
                "Kaffeeküche. Deshalb fahren wir einmal pro Woche alle ins Büro, besprechen gemeinsam "
                "die wichtigsten Aufgaben und gehen danach zusammen Mittag essen. Diese Mischung "
                "gefällt mir bisher sehr gut."
            ),
        ],
    },
    "fr": {
        "short": [
            "Il va pleuvoir toute la journée demain, n'oublie pas ton parapluie.",
            "Ma grand-mère a préparé une tarte aux pommes pour le dîner de dimanche.",
            "Excusez-moi, pourriez-vous m'indiquer où se trouve la pharmacie la plus proche ?",
            "Le train pour la gare centrale a été retardé à cause de travaux sur la voie.",
            "J'ai acheté du pain frais et quelques fromages au marché ce matin.",
            "La mairie a annoncé l'ouverture d'une nouvelle bibliothèque dans le quartier.",
        ],
        "long": [
            (
                "Chaque samedi matin, je vais au marché qui s'installe sur la grande place de mon "
                "quartier. Dès huit heures, les commerçants ont déjà dressé leurs étals, et l'on "
                "entend les voix qui vantent la fraîcheur des légumes ou le goût incomparable des "
                "fraises de saison. J'aime prendre mon temps, flâner entre les stands et discuter avec "
                "les vendeurs que je connais depuis des années. Le fromager me fait toujours goûter un "
                "nouveau fromage avant que je me décide, et la boulangère met de côté une baguette "
                "bien croustillante pour moi. Au printemps, on trouve des asperges, des radis et les "
                "premières cerises, tandis qu'en automne les paniers se remplissent de champignons, de "
                "potirons et de pommes. Après mes courses, je m'assieds à la terrasse du petit café au "
                "coin de la rue pour boire un café crème et lire le journal. C'est un moment que "
                "j'attends toute la semaine, car il me permet de ralentir un peu et de profiter de la "
                "vie du quartier. Pour moi, le marché n'est pas seulement un endroit où l'on achète à "
                "manger, c'est aussi un lieu de rencontre et de convivialité."
            ),
            (
                "L'été dernier, nous avons passé deux semaines de vacances dans un petit village au "
                "bord de la mer. Nous avions loué une maison simple, entourée d'un jardin plein de "
                "lavande et de figuiers, à quelques minutes à pied de la plage. Les enfants se "
                "levaient tôt pour aller chercher des croissants chez le boulanger, puis nous prenions "
                "le petit-déjeuner dehors, à l'ombre d'un grand parasol. Nos journées étaient "
                "tranquilles : baignade le matin, sieste après le déjeuner et promenade le long du "
                "port en fin d'après-midi. Un jour, un pêcheur nous a proposé de l'accompagner en "
                "bateau pour relever ses filets, et les enfants en parlent encore aujourd'hui. Le "
                "soir, nous dînions souvent de poisson grillé et de salade de tomates, en regardant le "
                "soleil se coucher sur l'eau. Il n'y avait ni télévision ni connexion internet rapide "
                "dans la maison, mais personne ne s'en est plaint. Au contraire, nous avons joué aux "
                "cartes, lu des livres et beaucoup parlé. Ces vacances nous ont rappelé qu'il ne faut "
                "pas grand-chose pour être heureux ensemble."
            ),
        ],
    },
    "es": {
        "short": [
            "Mañana va a hacer mucho calor, así que conviene llevar agua y una gorra.",
            "Mi abuela siempre prepara una tortilla riquísima cuando vamos a visitarla.",
            "Perdone, ¿sabe usted dónde está la farmacia más cercana?",
            "El autobús llegó con retraso porque había muchísimo tráfico en el centro.",
            "Ayer compré fruta fresca y una barra de pan en el mercado del barrio.",
            "El ayuntamiento ha anunciado que abrirá un nuevo parque para los niños.",
        ],
        "long": [
            (
                "Todos los veranos, en agosto, volvemos al pueblo de mis abuelos para celebrar las "
                "fiestas patronales. Durante una semana entera, las calles se llenan de banderitas de "
                "colores, música y gente que ha venido de todas partes para reencontrarse con "
                "familiares y amigos. Por las mañanas, los niños participan en juegos y concursos en "
                "la plaza, mientras los mayores charlan a la sombra de los árboles. Mi abuela "
                "aprovecha esos días para cocinar sus platos más famosos, y la casa siempre está llena "
                "de vecinos que pasan a saludar y se quedan a comer. El momento más esperado llega por "
                "la noche, cuando una orquesta toca en la plaza hasta la madrugada y todo el mundo "
                "sale a bailar, desde los más pequeños hasta los más ancianos. El último día hay "
                "fuegos artificiales junto al río, y aunque ya los hemos visto muchas veces, nunca "
                "dejan de emocionarnos. Para mí, estas fiestas son mucho más que una celebración: son "
                "la oportunidad de recordar de dónde vengo y de compartir tiempo con las personas que "
                "más quiero."
            ),
            (
                "En los últimos años, muchas empresas han empezado a replantearse los horarios de "
                "trabajo tradicionales. En mi oficina, por ejemplo, ahora podemos elegir a qué hora "
                "empezamos la jornada, siempre que estemos disponibles durante las horas centrales del "
                "día. Al principio, algunos compañeros tenían dudas y pensaban que sería difícil "
                "organizarse, pero con el tiempo nos hemos dado cuenta de que la flexibilidad tiene "
                "muchas ventajas. Yo suelo llegar temprano, hacia las siete y media, porque así evito "
                "los atascos y puedo salir a media tarde para recoger a mis hijos del colegio. Otra "
                "compañera prefiere empezar más tarde, ya que por las mañanas lleva a su madre al "
                "médico o hace la compra. Lo importante es que el trabajo se haga bien y que todos nos "
                "comuniquemos con claridad. Además, la empresa nos permite trabajar desde casa dos "
                "días a la semana, lo que nos ahorra tiempo y dinero en transporte. Creo que este "
                "cambio ha mejorado el ambiente en el equipo y que, en general, estamos más contentos "
                "y somos más productivos que antes."
            ),
        ],
    },
    "it": {
        "short": [
            "Domani pomeriggio dovrebbe piovere, quindi è meglio prendere l'ombrello.",
            "Mia nonna prepara sempre le lasagne quando andiamo a trovarla la domenica.",
            "Scusi, sa dirmi dov'è la farmacia più vicina?",
            "Il treno per la stazione centrale è partito con mezz'ora di ritardo.",
            "Stamattina ho comprato frutta fresca e un po' di formaggio al mercato.",
            "Il comune ha annunciato nuove piste ciclabili nel centro della città.",
        ],
        "long": [
            (
                "In Italia il caffè non è soltanto una bevanda, ma un vero e proprio rito che "
                "accompagna le persone durante tutta la giornata. La mattina, prima di andare al "
                "lavoro, molti si fermano al bar sotto casa per un espresso veloce al bancone, spesso "
                "accompagnato da un cornetto caldo. Il barista conosce quasi tutti i clienti abituali "
                "e sa già come preferiscono il loro caffè: c'è chi lo vuole macchiato, chi lungo, chi "
                "ristretto e chi corretto con un goccio di liquore. A metà mattina è normale fare una "
                "pausa con i colleghi e scambiare due chiacchiere davanti a una tazzina fumante. Dopo "
                "pranzo, poi, un caffè è quasi obbligatorio per concludere il pasto. Il cappuccino, "
                "invece, si beve di solito solo a colazione, e chi lo ordina la sera rischia di "
                "ricevere qualche sguardo perplesso. Anche a casa la tradizione resta forte: in molte "
                "cucine c'è ancora la vecchia moka, che borbotta sul fornello e riempie la stanza di "
                "un profumo inconfondibile. Per tanti italiani, offrire un caffè a un amico è un "
                "piccolo gesto di gentilezza e di amicizia."
            ),
            (
                "Quest'anno abbiamo deciso di trascorrere le vacanze estive in montagna, lontano dal "
                "caldo soffocante della città. Abbiamo affittato un piccolo appartamento in un paesino "
                "circondato da boschi di abeti e prati verdissimi. Ogni mattina partivamo presto con "
                "lo zaino in spalla per fare escursioni lungo i sentieri, fermandoci spesso ad "
                "ammirare il panorama o a raccogliere qualche mirtillo. I bambini erano entusiasti di "
                "vedere da vicino le mucche al pascolo e di bagnare i piedi nei ruscelli gelati. A "
                "pranzo ci fermavamo nei rifugi, dove si mangiavano piatti semplici ma saporiti, come "
                "la polenta con il formaggio fuso e i funghi. Il pomeriggio ci riposavamo sul balcone "
                "leggendo un libro, mentre la sera passeggiavamo per le stradine del paese e ci "
                "concedevamo un gelato. Una sera c'è stata anche una festa in piazza con musica dal "
                "vivo e balli tradizionali, e tutto il paese si è ritrovato a cantare insieme. Siamo "
                "tornati a casa riposati e pieni di energia, con la promessa di tornare anche l'anno "
                "prossimo."
            ),
        ],
    },
    "pt": {
        "short": [
            "Amanhã vai chover durante toda a manhã, não se esqueça do guarda-chuva.",
            "A minha avó fez um bolo de laranja delicioso para o almoço de domingo.",
            "Desculpe, sabe dizer-me onde fica a farmácia mais próxima daqui?",
            "O comboio para a cidade chegou atrasado por causa das obras na linha.",
            "Comprei pão fresco e algumas maçãs no mercado a caminho de casa.",
            "A câmara municipal anunciou a abertura de uma nova biblioteca no bairro.",
        ],
        "long": [
            (
                "Sempre que o tempo está bom, passamos o fim de semana numa pequena vila piscatória "
                "perto da costa. Saímos de casa logo de manhã, com o carro cheio de toalhas, chapéus "
                "de sol e uma geleira com sandes e fruta. Os miúdos adoram correr pela areia, apanhar "
                "conchas e mergulhar nas ondas, mesmo quando a água está bastante fria. Eu prefiro "
                "ficar à sombra a ler um livro, mas de vez em quando também me junto a eles para dar "
                "um mergulho. Ao meio-dia, vamos almoçar a uma tasca junto ao porto, onde servem "
                "sardinhas assadas, salada de pimentos e batatas cozidas. O dono da casa já nos "
                "conhece e pergunta sempre pelos avós, que também costumavam ir lá quando eram novos. "
                "Depois do almoço, damos um passeio pelas ruas estreitas da vila, cheias de casas "
                "brancas com janelas azuis, e paramos numa pastelaria para comer um pastel de nata "
                "ainda quente. Ao fim da tarde regressamos a casa cansados mas felizes, com a pele "
                "salgada e muitas histórias para contar."
            ),
            (
                "Desde que comecei a trabalhar a partir de casa, a minha rotina mudou bastante. Já não "
                "preciso de apanhar o autocarro às sete da manhã nem de enfrentar o trânsito intenso "
                "da cidade, o que me dá mais tempo para tomar o pequeno-almoço com calma e levar os "
                "filhos à escola. No início, confesso que tive alguma dificuldade em concentrar-me, "
                "porque havia sempre alguma coisa para fazer em casa: a roupa para estender, a loiça "
                "para lavar ou o cão a pedir para ir à rua. Com o tempo, aprendi a organizar melhor o "
                "dia e criei um pequeno escritório num canto da sala, junto à janela. Agora começo a "
                "trabalhar sempre à mesma hora e faço pausas curtas para esticar as pernas. Sinto "
                "falta, é claro, das conversas com os colegas na hora do café, por isso combinámos "
                "encontrar-nos no escritório uma vez por semana. Nesses dias almoçamos juntos e "
                "aproveitamos para discutir os projetos mais importantes. Acho que este equilíbrio "
                "entre o trabalho em casa e no escritório veio para ficar, e muitas pessoas já não "
                "querem voltar atrás."
            ),
        ],
    },
    "nl": {
        "short": [
            "Morgen wordt het koud en winderig, dus trek maar een warme jas aan.",
            "Mijn broer komt dit weekend met zijn kinderen bij ons eten.",
            "Pardon, weet u misschien waar de dichtstbijzijnde apotheek is?",
            "De trein naar huis had vanavond bijna een halfuur vertraging.",
            "Ik heb op de markt verse groenten en een stuk oude kaas gekocht.",
            "De gemeente gaat volgend jaar meer fietspaden aanleggen in het centrum.",
        ],
        "long": [
            (
                "In Nederland is de fiets veel meer dan alleen een vervoermiddel; het is een vast "
                "onderdeel van het dagelijks leven. Kinderen leren al op jonge leeftijd fietsen en "
                "rijden later zelfstandig naar school, vaak samen met vriendjes uit de buurt. Ook "
                "volwassenen pakken voor bijna alles de fiets: om naar hun werk te gaan, boodschappen "
                "te doen of 's avonds bij vrienden op bezoek te gaan. Het land is plat, en overal zijn "
                "brede fietspaden met eigen verkeerslichten, waardoor fietsen meestal veilig en "
                "prettig is. Alleen de wind kan soms flink tegenzitten, vooral in de herfst, als je "
                "tegen een stevige bries in moet trappen. Bij de stations staan enorme "
                "fietsenstallingen waar duizenden fietsen netjes naast elkaar geparkeerd worden. Mijn "
                "buurman fietst elke dag twintig kilometer naar zijn kantoor en zegt dat hij daardoor "
                "fitter en vrolijker is dan ooit. In het weekend maken veel gezinnen lange tochten "
                "langs de dijken, weilanden en molens, met een picknickmand achterop. Voor wie hier "
                "komt wonen, is een goede fiets dan ook een van de eerste dingen die je moet kopen."
            ),
            (
                "Vorige maand zijn we eindelijk verhuisd naar een nieuw huis aan de rand van de stad. "
                "We woonden jarenlang in een klein appartement op de derde verdieping, zonder lift en "
                "zonder tuin, dus we zijn erg blij met de extra ruimte. De verhuizing zelf was wel een "
                "flinke klus. Weken van tevoren begonnen we al met inpakken, en we waren verbaasd "
                "hoeveel spullen we in de loop der tijd hadden verzameld. Gelukkig kwamen er op de "
                "grote dag een paar vrienden helpen met het sjouwen van dozen en meubels. Mijn "
                "schoonvader had een aanhanger geleend, zodat we niet alles met een dure verhuiswagen "
                "hoefden te doen. 's Avonds hebben we met z'n allen pizza gegeten tussen de stapels "
                "dozen, en dat was eigenlijk best gezellig. Inmiddels is bijna alles uitgepakt en "
                "beginnen we ons echt thuis te voelen. De kinderen hebben allebei een eigen kamer en "
                "spelen na school graag in de tuin. De buren hebben ons heel hartelijk ontvangen en "
                "ons zelfs uitgenodigd voor een barbecue volgende week."
            ),
        ],
    },
    "pl": {
        "short": [
            "Jutro ma padać przez cały dzień, więc weź ze sobą parasol.",
            "Moja babcia upiekła w niedzielę pyszne ciasto z jabłkami.",
            "Przepraszam, czy wie pan, gdzie jest najbliższa apteka?",
            "Pociąg do domu spóźnił się dzisiaj prawie o godzinę.",
            "W sklepie kupiłam świeże pieczywo, masło i trochę owoców.",
            "Władze miasta zapowiedziały budowę nowych ścieżek rowerowych.",
        ],
        "long": [
            (
                "Co roku w lipcu wyjeżdżamy całą rodziną na dwa tygodnie nad morze. Wynajmujemy "
                "niewielki domek w miejscowości położonej tuż przy plaży, otoczonej sosnowym lasem. "
                "Rano, zanim na plaży zrobi się tłoczno, chodzimy na długie spacery brzegiem morza i "
                "zbieramy muszelki. Dzieci uwielbiają budować zamki z piasku i skakać przez fale, "
                "nawet kiedy woda jest dość zimna. W południe zwykle jemy obiad w małej smażalni, "
                "gdzie serwują świeżą rybę z frytkami i surówką z kapusty. Po południu, gdy słońce "
                "mocno grzeje, odpoczywamy w cieniu parawanu, czytamy książki albo gramy w karty. "
                "Wieczorem spacerujemy po deptaku, kupujemy lody i gofry z bitą śmietaną, a potem "
                "oglądamy zachód słońca nad wodą. Czasami pogoda płata nam figle i przez kilka dni "
                "pada deszcz, ale wtedy odwiedzamy muzea, latarnię morską albo jedziemy rowerami do "
                "pobliskich wiosek. Choć wyjazd zawsze mija bardzo szybko, wracamy do domu wypoczęci i "
                "pełni wspomnień, które towarzyszą nam przez cały rok."
            ),
            (
                "Jesień to w Polsce czas grzybobrania, które dla wielu rodzin jest prawdziwą tradycją. "
                "Już o świcie w lasach można spotkać ludzi z koszykami i nożykami, którzy uważnie "
                "przeszukują mech i ściółkę pod drzewami. Mój dziadek był zapalonym grzybiarzem i znał "
                "w okolicy miejsca, o których nie wiedział nikt inny. Kiedy byłem dzieckiem, zabierał "
                "mnie ze sobą i cierpliwie tłumaczył, jak odróżnić grzyby jadalne od trujących. "
                "Najbardziej cieszyliśmy się, gdy udało nam się znaleźć prawdziwki albo rydze, bo "
                "wtedy babcia przygotowywała z nich pyszną zupę lub sos do ziemniaków. Część grzybów "
                "suszyliśmy na sznurkach w kuchni, a część marynowaliśmy w słoikach na zimę. Dziś sam "
                "chodzę do lasu z moimi dziećmi i próbuję przekazać im to, czego nauczył mnie dziadek. "
                "Zawsze powtarzam im, żeby zbierały tylko te grzyby, które na pewno znają, i żeby "
                "szanowały przyrodę. Dla nas grzybobranie to nie tylko sposób na zdobycie jedzenia, "
                "ale przede wszystkim okazja, by spędzić razem czas na świeżym powietrzu."
            ),
        ],
    },
    "tr": {
        "short": [
            "Yarın hava çok soğuk olacakmış, kalın bir mont giymeyi unutma.",
            "Annem hafta sonu bütün aile için çok güzel bir yemek hazırladı.",
            "Affedersiniz, en yakın eczane nerede biliyor musunuz?",
            "Otobüs bu sabah trafik yüzünden yarım saat geç geldi.",
            "Pazardan taze sebze, meyve ve biraz da beyaz peynir aldım.",
            "Belediye şehir merkezinde yeni bir park açacağını duyurdu.",
        ],
        "long": [
            (
                "Türkiye'de kahvaltı, günün en önemli ve en keyifli öğünlerinden biri olarak kabul "
                "edilir. Özellikle hafta sonları aileler uzun uzun kahvaltı sofrası kurar ve saatlerce "
                "sohbet ederek yemek yer. Sofrada genellikle beyaz peynir, kaşar, zeytin, domates, "
                "salatalık, bal, kaymak ve çeşit çeşit reçeller bulunur. Sıcak ekmek ya da simit "
                "olmadan kahvaltı eksik sayılır. Annem pazar sabahları mutlaka menemen yapar; tavada "
                "pişen domates, biber ve yumurtanın kokusu bütün evi sarar. Babam ise çayı demlemekten "
                "sorumludur ve çaydanlığı ocağın üzerinden hiç eksik etmez. İnce belli bardaklarda "
                "içilen tavşan kanı renkli çay, sofranın vazgeçilmezidir. Kahvaltı bittikten sonra "
                "bile kimse hemen kalkmaz; bir bardak çay daha içilir, günün planları konuşulur, "
                "komşulardan haberler paylaşılır. Son yıllarda şehirlerde serpme kahvaltı sunan "
                "mekânlar da oldukça popüler hale geldi. Arkadaşlarla buluşup bu mekânlarda kahvaltı "
                "yapmak, yoğun geçen iş haftasının ardından dinlenmenin güzel bir yolu oldu."
            ),
            (
                "Geçen yaz ailece Ege kıyısında küçük bir sahil kasabasında tatil yaptık. Kasabanın "
                "dar sokakları begonvillerle süslenmiş beyaz evlerle doluydu ve her köşede denizin "
                "kokusu hissediliyordu. Sabahları erkenden kalkıp plaja gidiyor, güneş henüz çok "
                "yakmadan yüzüyorduk. Çocuklar kumdan kaleler yaparken biz de şemsiyenin altında kitap "
                "okuyorduk. Öğle yemeklerinde genellikle limandaki küçük bir lokantaya gidip taze "
                "balık, zeytinyağlı yemekler ve mevsim salatası yiyorduk. Lokantanın sahibi yaşlı bir "
                "amcaydı ve bize her gün kasabanın eski günlerine dair ilginç hikâyeler anlatıyordu. "
                "Akşamüstü sahil boyunca yürüyüş yapıp dondurma yiyor, güneşin denize batışını "
                "izliyorduk. Bir gün tekneyle yakındaki koylara gittik; suyun rengi o kadar berraktı "
                "ki dipteki balıkları rahatça görebiliyorduk. Tatilin son gecesi kasaba meydanında "
                "küçük bir konser vardı ve herkes birlikte şarkı söyleyip dans etti. Eve dönerken "
                "hepimiz biraz hüzünlüydük, ama gelecek yıl yine gelmeye söz verdik."
            ),
        ],
    },
    "vi": {
        "short": [
            "Ngày mai trời sẽ mưa to, bạn nhớ mang theo áo mưa nhé.",
            "Cuối tuần này cả nhà tôi sẽ về quê thăm ông bà nội.",
            "Xin lỗi, bạn có biết hiệu thuốc gần nhất ở đâu không?",
            "Sáng nay tôi đi chợ mua rau, cá và một ít trái cây.",
            "Công ty chúng tôi sẽ chuyển đến văn phòng mới vào tháng sau.",
            "Theo bản tin thời sự, giá xăng sẽ giảm nhẹ trong tuần tới.",
        ],
        "long": [
            (
                "Ở Việt Nam, bữa sáng thường được bắt đầu từ rất sớm, khi thành phố vẫn còn chìm trong "
                "màn sương mỏng. Trên các con phố nhỏ, những quán ăn vỉa hè đã bày sẵn bàn ghế nhựa "
                "thấp, nồi nước dùng bốc khói nghi ngút và mùi thơm của hành phi lan tỏa khắp nơi. "
                "Người đi làm, học sinh và cả những người già đi tập thể dục về đều ghé vào ăn một bát "
                "phở, bát bún hay đĩa xôi nóng hổi trước khi bắt đầu ngày mới. Tôi đặc biệt thích quán "
                "phở của một bà cụ ở đầu ngõ nhà mình. Bà đã bán phở ở đó hơn ba mươi năm, nước dùng "
                "lúc nào cũng trong và ngọt, thịt bò thái mỏng, ăn kèm với rau thơm, chanh và ớt tươi. "
                "Vừa ăn, tôi vừa nghe mọi người xung quanh trò chuyện về thời tiết, giá cả ngoài chợ "
                "hay chuyện học hành của con cái. Sau bữa sáng, nhiều người còn ngồi lại uống một ly "
                "cà phê sữa đá thật đậm, nhìn dòng xe máy tấp nập qua lại. Với tôi, những buổi sáng "
                "giản dị như thế chính là một phần không thể thiếu của cuộc sống nơi đây."
            ),
            (
                "Mỗi năm, khi mùa mưa bắt đầu, cuộc sống của người dân thành phố cũng thay đổi theo. "
                "Những cơn mưa thường đến rất bất ngờ vào buổi chiều, trời đang nắng bỗng nhiên tối "
                "sầm lại, rồi mưa trút xuống như thác đổ. Vì hầu hết mọi người đều đi làm bằng xe máy, "
                "ai cũng phải luôn để sẵn một chiếc áo mưa trong cốp xe. Có những hôm mưa quá to, "
                "nhiều con đường bị ngập nước, xe cộ chen chúc nhau và tôi phải mất gần một tiếng mới "
                "về được đến nhà. Tuy vậy, mùa mưa cũng mang lại nhiều điều dễ chịu. Không khí trở nên "
                "mát mẻ hơn, cây cối xanh tươi và bụi bặm trên đường phố được gột rửa sạch sẽ. Những "
                "lúc mưa, tôi thích ngồi trong một quán cà phê nhỏ bên cửa sổ, nhâm nhi tách trà nóng "
                "và ngắm nhìn dòng người vội vã ngoài kia. Mẹ tôi thì hay nấu một nồi canh chua hoặc "
                "làm bánh xèo để cả nhà cùng ăn cho ấm bụng. Dù có đôi chút bất tiện, tôi vẫn thấy mùa "
                "mưa có một vẻ đẹp rất riêng mà khó tìm thấy ở mùa nào khác."
            ),
        ],
    },
    "id": {
        "short": [
            "Katanya nanti sore bakal hujan, jadi sebaiknya kamu bawa payung atau jas hujan.",
            "Ibu saya memasak nasi goreng yang enak sekali untuk sarapan pagi ini.",
            "Permisi, apakah Anda tahu di mana apotek terdekat dari sini?",
            "Tadi pagi saya terlambat masuk kantor karena jalanan macet sekali dan bus penuh.",
            "Kami membeli sayur dan buah segar di pasar tradisional yang dekat dengan rumah kami.",
            "Pemerintah kota berencana membangun jalur sepeda baru tahun depan.",
        ],
        "long": [
            (
                "Setiap hari Minggu pagi, saya dan ibu biasanya pergi ke pasar tradisional yang "
                "letaknya tidak jauh dari rumah kami. Suasana pasar selalu ramai sejak subuh, penuh "
                "dengan pedagang yang menawarkan sayur-mayur, buah-buahan, ikan segar, dan berbagai "
                "macam bumbu dapur. Ibu saya sangat pandai menawar harga, sehingga para pedagang sudah "
                "mengenalnya dan sering memberikan sedikit bonus, misalnya beberapa buah cabai atau "
                "seikat daun bawang. Saya paling suka mampir ke penjual kue basah di sudut pasar yang "
                "menjual klepon, lemper, dan kue lapis dengan warna-warni yang cantik. Setelah selesai "
                "berbelanja, kami biasanya sarapan bubur ayam atau nasi uduk di warung langganan. "
                "Pemilik warung itu orangnya ramah sekali dan selalu menanyakan kabar keluarga kami. "
                "Meskipun sekarang sudah banyak supermarket dan aplikasi belanja daring, saya tetap "
                "merasa pasar tradisional punya daya tarik tersendiri. Di sana kita tidak hanya "
                "membeli kebutuhan sehari-hari, tetapi juga bisa mengobrol dan menjalin hubungan baik "
                "dengan orang-orang di sekitar kita."
            ),
            (
                "Beberapa tahun terakhir, banyak warga kota besar mulai beralih menggunakan "
                "transportasi umum untuk pergi ke kantor. Dulu saya selalu mengendarai mobil pribadi, "
                "tetapi kemacetan yang semakin parah membuat saya sering terlambat dan merasa sangat "
                "lelah sebelum mulai bekerja. Sekarang saya naik kereta komuter dari stasiun dekat "
                "rumah, lalu melanjutkan perjalanan dengan bus yang berhenti tepat di depan gedung "
                "kantor. Perjalanannya memang tidak selalu nyaman, terutama pada jam sibuk ketika "
                "gerbong penuh sesak, tetapi waktunya jauh lebih bisa diperkirakan. Selama di kereta, "
                "saya biasanya membaca buku, mendengarkan musik, atau sekadar memperhatikan "
                "orang-orang di sekitar saya. Selain menghemat waktu, saya juga bisa menghemat uang "
                "karena tidak perlu membayar bensin, tol, dan parkir yang mahal. Pemerintah kota juga "
                "terus memperbaiki fasilitas, seperti menambah jumlah armada, membangun trotoar yang "
                "lebih lebar, dan menyediakan jalur sepeda. Saya berharap semakin banyak orang yang "
                "mau mencoba naik kendaraan umum, supaya udara kota menjadi lebih bersih dan jalanan "
                "tidak terlalu padat."
            ),
        ],
    },
    "sv": {
        "short": [
            "I morgon blir det kallt och blåsigt, så ta på dig en varm jacka.",
            "Min mormor bakade kanelbullar till hela familjen i söndags.",
            "Ursäkta, vet du var närmaste apotek ligger?",
            "Tåget hem från jobbet var försenat nästan en halvtimme i dag.",
            "Jag köpte färska grönsaker och en bit ost på torget i morse.",
            "Kommunen ska bygga fler cykelvägar i centrum nästa år.",
        ],
        "long": [
            (
                "Varje sommar åker vi till familjens gamla sommarstuga vid en sjö långt ute på landet. "
                "Stugan är röd med vita knutar, precis som man föreställer sig en typisk svensk "
                "sommarstuga, och den har funnits i släkten i nästan hundra år. Där finns varken "
                "diskmaskin eller tv, men det gör ingenting, för vi tillbringar nästan all tid "
                "utomhus. På morgnarna badar vi i den kalla sjön innan vi äter frukost på verandan med "
                "nybakat bröd, ost och hallonsylt. Under dagarna plockar vi blåbär i skogen, fiskar "
                "från bryggan eller ror ut med den lilla båten till en ö mitt i sjön. Barnen tycker om "
                "att leta efter grodor och bygga kojor bland träden. På kvällarna grillar vi korv och "
                "sitter länge ute, eftersom det knappt blir mörkt på sommaren. Ibland kommer grannarna "
                "över för att dricka kaffe och prata om vädret och gamla minnen. När vi åker hem i "
                "augusti känns det alltid lite vemodigt, men vi vet att stugan väntar på oss nästa år "
                "igen."
            ),
            (
                "På min arbetsplats är fikapausen nästan lika viktig som själva arbetet. Två gånger om "
                "dagen, en gång på förmiddagen och en gång på eftermiddagen, samlas vi i "
                "personalrummet för att dricka kaffe och äta något gott. Ofta har någon kollega bakat "
                "kanelbullar, kladdkaka eller sockerkaka hemma och tagit med sig till jobbet. Det är "
                "inte bara ett tillfälle att äta, utan också ett sätt att lära känna varandra bättre "
                "och prata om annat än jobbet. Vi diskuterar allt från helgens planer och nya filmer "
                "till hur barnen har det i skolan. När jag först började här tyckte jag att det kändes "
                "konstigt att ta så många pauser, men nu förstår jag varför det är så uppskattat. "
                "Många säger att de får nya idéer och blir mer effektiva efter en stunds avkoppling. "
                "Chefen deltar också gärna och menar att fikan gör att alla trivs bättre och "
                "samarbetar lättare. Jag tror faktiskt att den här traditionen är en av anledningarna "
                "till att så många tycker om att arbeta här."
            ),
        ],
    },
    "el": {
        "short": [
            "Αύριο το πρωί θα βρέχει, γι' αυτό μην ξεχάσεις την ομπρέλα σου.",
            "Η γιαγιά μου έφτιαξε μια νόστιμη πίτα για το κυριακάτικο τραπέζι.",
            "Συγγνώμη, ξέρετε πού είναι το πιο κοντινό φαρμακείο;",
            "Το λεωφορείο άργησε σήμερα λόγω της κίνησης στο κέντρο.",
            "Αγόρασα φρέσκα λαχανικά και φρούτα από τη λαϊκή αγορά.",
            "Ο δήμος ανακοίνωσε ότι θα φτιάξει νέους ποδηλατοδρόμους στην πόλη.",
        ],
        "long": [
            (
                "Κάθε καλοκαίρι περνάμε τις διακοπές μας σε ένα μικρό νησί, όπου γεννήθηκε η γιαγιά "
                "μου. Το σπίτι της βρίσκεται πάνω σε έναν λόφο, με θέα στη θάλασσα και ένα μεγάλο "
                "μπαλκόνι γεμάτο γλάστρες με βασιλικό και γεράνια. Κάθε πρωί κατεβαίνουμε με τα πόδια "
                "στην παραλία, κολυμπάμε στα καταγάλανα νερά και ξαπλώνουμε στον ήλιο. Το μεσημέρι "
                "τρώμε συνήθως σε μια ταβέρνα δίπλα στο λιμάνι, όπου ο ιδιοκτήτης μάς σερβίρει φρέσκο "
                "ψάρι, χωριάτικη σαλάτα και τηγανητές πατάτες. Το απόγευμα, όταν η ζέστη είναι "
                "αφόρητη, ξεκουραζόμαστε στο σπίτι ή διαβάζουμε κάτω από τη σκιά της κληματαριάς. Όταν "
                "πέφτει ο ήλιος, ολόκληρο το χωριό βγαίνει στην πλατεία. Οι μεγάλοι κάθονται στα "
                "καφενεία και συζητούν, ενώ τα παιδιά τρέχουν και παίζουν μέχρι αργά το βράδυ. Τον "
                "Αύγουστο γίνεται και το πανηγύρι του χωριού, με παραδοσιακή μουσική, χορό και πολύ "
                "φαγητό. Για μένα, αυτές οι μέρες στο νησί είναι οι πιο όμορφες του χρόνου."
            ),
            (
                "Στην Ελλάδα ο καφές είναι πολύ περισσότερο από ένα απλό ρόφημα. Είναι αφορμή για "
                "συνάντηση, για κουβέντα και για χαλάρωση. Πολλοί άνθρωποι ξεκινούν τη μέρα τους με "
                "έναν ελληνικό καφέ, ψημένο αργά στο μπρίκι, ενώ άλλοι προτιμούν έναν κρύο καφέ, "
                "ειδικά τους ζεστούς μήνες του καλοκαιριού. Δεν είναι παράξενο να δεις παρέες φίλων να "
                "κάθονται για ώρες σε μια καφετέρια, πίνοντας σιγά σιγά το ίδιο ποτήρι και συζητώντας "
                "για τα πάντα, από την πολιτική μέχρι το ποδόσφαιρο. Ο παππούς μου πήγαινε κάθε "
                "απόγευμα στο καφενείο της γειτονιάς, όπου έπαιζε τάβλι με τους φίλους του και "
                "σχολίαζε τα νέα της ημέρας. Ακόμη και στη δουλειά, το διάλειμμα για καφέ θεωρείται "
                "ιερό, και οι συνάδελφοι συχνά κερνούν ο ένας τον άλλον. Όταν επισκέπτεσαι ένα "
                "ελληνικό σπίτι, το πρώτο πράγμα που θα σου προσφέρουν είναι σχεδόν πάντα ένας καφές "
                "μαζί με ένα γλυκό του κουταλιού ή λίγα μπισκότα. Αυτή η απλή συνήθεια δείχνει τη "
                "φιλοξενία και τη ζεστασιά των ανθρώπων."
            ),
        ],
    },
    "he": {
        "short": [
            "מחר בבוקר צפוי גשם חזק, אז כדאי לקחת איתך מטרייה.",
            "סבתא שלי אפתה עוגת שוקולד טעימה לארוחת הערב המשפחתית.",
            "סליחה, אתה יודע איפה נמצא בית המרקחת הכי קרוב?",
            "האוטובוס איחר היום בגלל פקקים גדולים בכביש הראשי.",
            "קניתי ירקות ופירות טריים בשוק שליד הבית שלנו.",
            "העירייה הודיעה על פתיחת גן ציבורי חדש בשכונה.",
        ],
        "long": [
            (
                "בחופשת האביב האחרונה יצאנו כל המשפחה לטיול של שלושה ימים בצפון הארץ. שכרנו צימר קטן "
                "בכפר שקט, מוקף בעצי פרי ובשדות ירוקים, ומהמרפסת היה אפשר לראות את ההרים הרחוקים. ביום "
                "הראשון הלכנו למסלול הליכה לאורך נחל, והילדים נהנו מאוד לקפוץ בין האבנים ולהרטיב את "
                "הרגליים במים הקרים. בצהריים עצרנו לפיקניק בצל העצים, עם כריכים, ירקות חתוכים ועוגיות "
                "שהכנו בבית. למחרת ביקרנו בחווה שבה מגדלים עיזים ומייצרים גבינות, והילדים אפילו קיבלו "
                "הזדמנות להאכיל את הגדיים. בערב ישבנו סביב מדורה קטנה, צלינו מרשמלו ושרנו שירים ישנים "
                "שההורים שלי לימדו אותי כשהייתי ילד. ביום האחרון טיפסנו לתצפית גבוהה, ומשם ראינו את כל "
                "העמק פרוש לפנינו כמו שטיח צבעוני. אמנם חזרנו הביתה עייפים, אבל כולם הסכימו שזה היה "
                "אחד הטיולים הכי יפים שעשינו. אני מקווה שנוכל לחזור לשם כבר בקיץ הקרוב."
            ),
            (
                "מאז שהתחלתי לעבוד מהבית שלושה ימים בשבוע, סדר היום שלי השתנה לגמרי. במקום לבזבז כמעט "
                "שעה בפקקים בכל בוקר, אני יכול לקום בנחת, להכין קפה ולצאת לריצה קצרה בפארק שליד הבית. "
                "בהתחלה היה לי קשה להתרכז, כי תמיד היה משהו אחר שמשך את תשומת הלב שלי: כביסה שצריך "
                "לתלות, כלים בכיור או שיחת טלפון מאמא. עם הזמן למדתי לקבוע לעצמי שעות עבודה ברורות "
                "ולסדר פינת עבודה קבועה בחדר הקטן, רחוק מהטלוויזיה ומהמטבח. היום אני מרגיש שאני עובד "
                "בצורה יעילה יותר ומספיק יותר משימות מאשר במשרד. עם זאת, אני מתגעגע לפעמים לשיחות עם "
                "החברים לעבודה ולארוחות הצהריים המשותפות. לכן אנחנו נפגשים במשרד פעמיים בשבוע, מקיימים "
                "ישיבות צוות ויוצאים יחד לאכול במסעדה הקרובה. נראה לי שהשילוב הזה בין הבית למשרד מתאים "
                "לרוב האנשים בצוות, וגם המנהלת שלנו מרוצה מהתוצאות."
            ),
        ],
    },
    "uk": {
        "short": [
            "Завтра вранці обіцяють сильний дощ, тому не забудьте взяти парасольку.",
            "Моя бабуся спекла смачний пиріг із вишнями для всієї родини.",
            "Вибачте, чи не підкажете, де тут найближча аптека?",
            "Сьогодні потяг до міста запізнився майже на пів години.",
            "Я купила свіжий хліб, сир і яблука на ринку біля дому.",
            "Міська рада оголосила про відкриття нового дитячого майданчика.",
        ],
        "long": [
            (
                "Осінь у нашому місті завжди приходить непомітно. Ще вчора ми гуляли парком у легких "
                "футболках, а сьогодні вже дістаємо з шафи теплі светри й парасольки. Дерева поступово "
                "вбираються в золоті та багряні кольори, а під ногами весело шелестить опале листя. Я "
                "дуже люблю цю пору року, бо вона якось особливо спокійна й затишна. У вихідні ми з "
                "родиною часто їдемо за місто, щоб пройтися лісом і назбирати грибів або калини. "
                "Бабуся потім варить із калини смачний узвар і додає до нього трохи меду. Вечорами ми "
                "збираємося на кухні, п'ємо чай із пиріжками та розповідаємо одне одному, як минув "
                "день. Діти готуються до школи, малюють осінні листочки й роблять з каштанів смішних "
                "чоловічків. На ринку з'являються гарбузи, яблука, груші та горіхи, і все це так "
                "приємно пахне, що хочеться купити всього потроху. Хоча дні стають коротшими, а погода "
                "дедалі частіше похмура, осінь дарує нам чудову нагоду зупинитися, відпочити й "
                "порадіти простим речам."
            ),
            (
                "Минулого літа ми з друзями вирушили в похід у Карпати. Ми довго готувалися до цієї "
                "подорожі: купили зручні черевики, спальники, намет і склали детальний маршрут. Уранці "
                "першого дня ми сіли на потяг, а ввечері вже були в маленькому гірському селі, де нас "
                "гостинно зустріла господиня садиби. Вона нагодувала нас гарячим бограчем і розповіла, "
                "які стежки найкращі для новачків. Наступні кілька днів ми йшли через смерекові ліси "
                "та квітучі полонини, ночували біля чистих гірських потоків і готували їжу на вогнищі. "
                "Найбільше мені запам'ятався світанок на вершині, коли сонце повільно піднімалося над "
                "хмарами, а довкола панувала неймовірна тиша. Дорогою ми зустрічали пастухів, які "
                "пасли овець, і вони частували нас справжньою бринзою. Було нелегко, особливо коли "
                "почався дощ і стежка стала слизькою, але ніхто не скаржився. Додому ми повернулися "
                "втомлені, проте щасливі, і вже домовилися, що наступного року обов'язково поїдемо "
                "знову."
            ),
        ],
    },
    "cs": {
        "short": [
            "Zítra ráno bude pršet, tak si nezapomeň vzít deštník.",
            "Moje babička upekla na neděli výborný jablečný koláč.",
            "Promiňte, nevíte, kde je tady nejbližší lékárna?",
            "Vlak domů měl dnes skoro půl hodiny zpoždění.",
            "Na trhu jsem koupila čerstvou zeleninu, sýr a trochu ovoce.",
            "Město plánuje příští rok postavit nové cyklostezky v centru.",
        ],
        "long": [
            (
                "V Česku má spousta rodin chatu nebo chalupu, kam jezdí trávit víkendy a prázdniny. My "
                "máme malou dřevěnou chatu u lesa, asi hodinu cesty autem od města. Každý pátek "
                "odpoledne naložíme do kufru jídlo, oblečení a psa a vyrážíme z města pryč. Na chatě "
                "není mnoho pohodlí, voda se musí nosit ze studny a topí se v kamnech, ale právě to se "
                "nám na tom líbí. Děti celý den běhají venku, lezou po stromech a staví si v lese "
                "bunkry z větví. Dědeček chodí brzy ráno na houby a skoro nikdy se nevrací s prázdným "
                "košíkem. Babička pak z hub připraví výbornou smaženici nebo bramboračku, kterou jíme "
                "na zahradě pod starou jabloní. Večer rozděláme oheň, opékáme buřty a zpíváme písničky "
                "za doprovodu kytary. Sousedé z okolních chat se k nám často přidají a zůstáváme venku "
                "dlouho do noci. V neděli odpoledne se nám nikdy nechce domů, ale už se těšíme na "
                "další víkend, který zase strávíme na chatě."
            ),
            (
                "Pracuji jako účetní v menší firmě, která sídlí v centru města. Každé ráno vstávám "
                "kolem šesté hodiny, připravím snídani pro celou rodinu a potom jedu tramvají do "
                "kanceláře. Cesta mi trvá přibližně půl hodiny, takže si většinou stihnu přečíst "
                "zprávy nebo kus knihy. V práci se nejprve podívám do e-mailové schránky a naplánuji "
                "si úkoly na celý den. Kolegové jsou milí a ochotní, a když má někdo z nás hodně "
                "práce, ostatní mu rádi pomůžou. V poledne chodíme společně na oběd do nedaleké "
                "jídelny, kde vaří dobrá a levná jídla, například svíčkovou, guláš nebo smažený sýr. "
                "Odpoledne bývá obvykle klidnější, a proto se můžu věnovat složitějším úkolům, které "
                "vyžadují více soustředění. Domů odcházím kolem páté a cestou se ještě zastavím v "
                "obchodě pro čerstvé pečivo a zeleninu. Večery trávím s rodinou, procházíme se v parku "
                "nebo hrajeme společenské hry. Svoji práci mám ráda, protože je pestrá a dává mi "
                "možnost učit se stále něco nového."
            ),
        ],
    },
    "fa": {
        "short": [
            "فردا صبح هوا سرد و بارانی است، پس چتر و کاپشن گرم بردار.",
            "مادربزرگم برای ناهار جمعه یک آش خوشمزه پخته بود.",
            "ببخشید، می‌دانید نزدیک‌ترین داروخانه کجاست؟",
            "امروز اتوبوس به خاطر ترافیک سنگین خیلی دیر رسید.",
            "از بازار محله‌مان میوه و سبزی تازه خریدم.",
            "شهرداری اعلام کرد که پارک جدیدی در مرکز شهر ساخته می‌شود.",
        ],
        "long": [
            (
                "نوروز برای ما ایرانی‌ها زیباترین و مهم‌ترین جشن سال است. چند هفته پیش از رسیدن بهار، "
                "همه‌ی خانواده دست به کار می‌شوند و خانه‌تکانی را شروع می‌کنند. فرش‌ها را می‌شوییم، "
                "پرده‌ها را عوض می‌کنیم و هر گوشه‌ی خانه را تمیز و مرتب می‌کنیم. مادرم همیشه چند روز "
                "زودتر گندم یا عدس را خیس می‌کند تا سبزه‌ی سفره‌ی هفت‌سین تا روز عید سبز و بلند شود. "
                "بچه‌ها با شوق ماهی قرمز می‌خرند و در تزیین سفره کمک می‌کنند. در لحظه‌ی تحویل سال، همه "
                "دور سفره جمع می‌شویم، برای هم آرزوهای خوب می‌کنیم و بزرگ‌ترها به کوچک‌ترها عیدی "
                "می‌دهند. روزهای بعد به دید و بازدید می‌گذرد؛ به خانه‌ی پدربزرگ و مادربزرگ، عمه‌ها و "
                "خاله‌ها می‌رویم و با شیرینی و چای و آجیل از ما پذیرایی می‌کنند. روز سیزدهم هم به "
                "طبیعت می‌رویم، در پارک یا کنار رودخانه پیک‌نیک می‌کنیم و سبزه را به آب می‌دهیم. این "
                "رسم‌ها حال و هوای خاصی به زندگی می‌دهند و خانواده‌ها را به هم نزدیک‌تر می‌کنند."
            ),
            (
                "نزدیک خانه‌ی ما یک کتاب‌فروشی کوچک و قدیمی هست که کافه‌ی دنجی هم در گوشه‌ی آن دارد. "
                "من معمولاً عصرهای پنجشنبه به آنجا می‌روم، یک لیوان چای داغ با کمی گل‌محمدی سفارش "
                "می‌دهم و ساعت‌ها میان قفسه‌های کتاب می‌گردم. صاحب کتاب‌فروشی پیرمرد مهربانی است که "
                "تقریباً همه‌ی کتاب‌ها را خوانده و همیشه با حوصله به مشتری‌ها کتاب پیشنهاد می‌کند. چند "
                "وقت پیش به من یک مجموعه شعر معرفی کرد که آن‌قدر دوستش داشتم که چند شعرش را از حفظ "
                "کردم. در این کافه آدم‌های مختلفی را می‌بینی؛ دانشجوهایی که برای امتحان درس می‌خوانند، "
                "نویسنده‌هایی که چیزی در دفترچه‌شان یادداشت می‌کنند و دوستانی که آرام با هم گپ "
                "می‌زنند. گاهی هم شب شعر یا جلسه‌ی کتاب‌خوانی برگزار می‌شود و همه دور هم جمع می‌شوند. "
                "به نظرم چنین جاهایی در شهرهای شلوغ امروز خیلی ارزشمند هستند، چون به آدم فرصت می‌دهند "
                "کمی از هیاهوی روزمره فاصله بگیرد و با خیال راحت کتاب بخواند."
            ),
        ],
    },
    "fi": {
        "short": [
            "Huomenna sataa koko päivän, joten ota sateenvarjo mukaan.",
            "Mummi leipoi meille sunnuntaina herkullista mustikkapiirakkaa.",
            "Anteeksi, tiedättekö, missä on lähin apteekki?",
            "Juna kotiin oli tänään puoli tuntia myöhässä.",
            "Ostin torilta tuoreita vihanneksia ja vähän juustoa.",
            "Kaupunki aikoo rakentaa keskustaan uusia pyöräteitä ensi vuonna.",
        ],
        "long": [
            (
                "Suomessa kesämökki on monelle perheelle tärkeä paikka, jonne lähdetään heti kun loma "
                "alkaa. Meidän mökkimme sijaitsee pienen järven rannalla keskellä metsää, noin kolmen "
                "tunnin ajomatkan päässä kotoa. Mökissä ei ole juoksevaa vettä eikä televisiota, mutta "
                "siellä on puulämmitteinen sauna, joka on koko perheen lempipaikka. Aamuisin keitämme "
                "kahvit ja istumme terassilla kuuntelemassa lintujen laulua. Päivällä soudamme "
                "veneellä järvelle kalastamaan tai lähdemme metsään poimimaan mustikoita ja vadelmia. "
                "Lapset rakentavat rannalle hiekkalinnoja ja uivat, vaikka vesi olisi melko kylmää. "
                "Illalla lämmitämme saunan, ja löylyjen jälkeen pulahdamme suoraan järveen. Sen "
                "jälkeen paistamme makkaraa nuotiolla ja katselemme, kuinka aurinko laskee hitaasti "
                "puiden taakse. Keskikesällä yöt ovat niin valoisia, ettei pimeää tule lainkaan, ja "
                "siksi valvomme usein pitkään. Mökillä aika tuntuu kulkevan hitaammin, ja arjen "
                "kiireet unohtuvat nopeasti."
            ),
            (
                "Talvi on Suomessa pitkä ja kylmä, mutta se tarjoaa myös paljon iloa ja kauniita "
                "hetkiä. Joulukuussa päivät ovat hyvin lyhyitä, ja pohjoisessa aurinko ei nouse "
                "ollenkaan moneen viikkoon. Pimeyttä valaisevat kuitenkin kynttilät, jouluvalot ja "
                "puhdas valkoinen lumi, joka heijastaa pienenkin valon. Monet ihmiset harrastavat "
                "talvella hiihtoa, ja lähes jokaisessa kaupungissa on valaistuja latuja, joilla voi "
                "hiihtää myös iltaisin töiden jälkeen. Lapset laskevat mäkeä pulkilla, rakentavat "
                "lumiukkoja ja luistelevat jäädytetyillä kentillä. Jotkut uskaltavat jopa talviuintiin "
                "ja pulahtavat avantoon saunan jälkeen. Isoisäni sanoo, että se pitää hänet terveenä "
                "ja virkeänä. Talvella kotona on mukava juoda kuumaa kaakaota, lukea hyvää kirjaa ja "
                "neuloa villasukkia. Vaikka pakkasta voi olla parikymmentä astetta, oikeanlaisella "
                "vaatetuksella ulkona viihtyy hyvin. Kun kevät sitten vihdoin koittaa ja lumi alkaa "
                "sulaa, jokainen auringonpaiste tuntuu todelliselta lahjalta."
            ),
        ],
    },
    "hu": {
        "short": [
            "Holnap egész nap esni fog, ezért vigyél magaddal esernyőt.",
            "A nagymamám vasárnap finom almás süteményt sütött nekünk.",
            "Elnézést, meg tudná mondani, hol van a legközelebbi gyógyszertár?",
            "A vonat ma reggel majdnem fél órát késett.",
            "A piacon friss zöldséget, gyümölcsöt és sajtot vettem.",
            "A város jövőre új kerékpárutakat épít a belvárosban.",
        ],
        "long": [
            (
                "Nyaranta a családommal mindig néhány napot a Balatonnál töltünk. A tó partján egy kis "
                "vendégházat szoktunk bérelni, amelynek kertjében hatalmas diófa áll, és esténként ott "
                "vacsorázunk. Reggelente korán kelünk, hogy még a tömeg előtt lemehessünk a strandra. "
                "A gyerekek imádnak a sekély, meleg vízben pancsolni, labdázni és homokvárat építeni. "
                "Délben általában lángost eszünk tejföllel és sajttal, ami nélkül szerintünk el sem "
                "képzelhető egy igazi balatoni nap. Délután kerékpárral bejárjuk a környező falvakat, "
                "megállunk egy-egy pincénél vagy cukrászdánál, és megkóstoljuk a helyi finomságokat. "
                "Ha szeles az idő, vitorlásokat nézünk a kikötőben, vagy elsétálunk a mólóig. "
                "Esténként a naplementét nézzük a parton, miközben a víz felszínén narancssárga fények "
                "csillognak. Néha egy kis koncertre is elmegyünk a falu főterén. Bár mindig csak "
                "néhány napot maradunk, ezek a pihenések egész évre feltöltenek bennünket energiával, "
                "és már előre várjuk a következő nyarat."
            ),
            (
                "Két éve dolgozom egy nagy irodában a város központjában, és minden nap vonattal járok "
                "be a közeli kisvárosból, ahol élünk. Reggel hat órakor kelek, gyorsan megiszom egy "
                "kávét, majd sietek az állomásra. Az út nagyjából negyven percig tart, ezalatt "
                "általában olvasok, zenét hallgatok, vagy egyszerűen csak nézem az ablakon túl "
                "elsuhanó mezőket és falvakat. Eleinte nagyon fárasztó volt a sok utazás, de idővel "
                "megszoktam, sőt ma már kifejezetten szeretem ezt a nyugodt időt. A munkahelyemen "
                "kedves kollégáim vannak, akikkel jól együtt tudunk dolgozni. Ebédszünetben gyakran "
                "együtt megyünk el egy közeli kifőzdébe, ahol házias ételeket, például gulyáslevest, "
                "rakott krumplit vagy főzeléket lehet enni. Délután sokszor megbeszéléseken veszek "
                "részt, és a nap végére általában elég fáradt vagyok. Hazafelé a vonaton már a "
                "családra gondolok, és arra, mit főzünk vacsorára. Hétvégén igyekszem minél több időt "
                "a szabadban tölteni, hogy kipihenjem a hét fáradalmait."
            ),
        ],
    },
    "ro": {
        "short": [
            "Mâine va ploua toată ziua, așa că nu uita să iei umbrela.",
            "Bunica mea a gătit o ciorbă foarte gustoasă pentru toată familia.",
            "Scuzați-mă, știți unde este cea mai apropiată farmacie?",
            "Trenul spre casă a avut astăzi o întârziere de o jumătate de oră.",
            "Am cumpărat legume proaspete și brânză de la piață.",
            "Primăria a anunțat că va amenaja un parc nou în cartier.",
        ],
        "long": [
            (
                "În fiecare vară, familia mea petrece câteva zile la munte, într-o cabană de lemn "
                "aflată la marginea unei păduri de brazi. Plecăm de acasă dis-de-dimineață, cu mașina "
                "încărcată de bagaje, mâncare și jocuri pentru copii. Drumul este lung și șerpuit, dar "
                "peisajele sunt atât de frumoase încât nimeni nu se plânge. Odată ajunși, ne bucurăm "
                "de aerul curat și de liniștea care ne înconjoară. În fiecare zi facem drumeții pe "
                "potecile marcate, ne oprim la izvoare să bem apă rece și culegem zmeură și afine de "
                "pe marginea drumului. Copiii sunt încântați când zăresc veverițe sau căprioare "
                "printre copaci. La prânz mâncăm la o stână, unde ciobanii ne servesc mămăligă cu "
                "brânză proaspătă și smântână. Seara aprindem focul în șemineu, jucăm cărți și "
                "ascultăm poveștile bunicului despre tinerețea lui petrecută prin aceste locuri. Deși "
                "vacanța trece mereu prea repede, ne întoarcem acasă odihniți, cu forțe noi și cu "
                "multe amintiri frumoase pe care le povestim apoi prietenilor."
            ),
            (
                "Sâmbăta dimineața merg aproape întotdeauna la piața din cartierul nostru. Îmi place "
                "atmosfera de acolo, plină de culoare și de viață, cu tarabe încărcate de legume, "
                "fructe, flori și produse făcute în casă. Țăranii vin din satele apropiate încă de la "
                "primele ore și își aranjează marfa cu grijă, ca să atragă privirile cumpărătorilor. "
                "Vara găsești roșii dulci și parfumate, castraveți, ardei și pepeni, iar toamna "
                "tarabele se umplu de struguri, gutui, nuci și dovleci. Am câțiva vânzători preferați "
                "de la care cumpăr de ani de zile. O doamnă în vârstă îmi pune mereu deoparte cele mai "
                "bune ouă și îmi dă sfaturi despre cum să gătesc o ciorbă de legume. Un domn de la "
                "taraba vecină vinde miere din stupii proprii și brânză de oaie, pe care mă lasă "
                "întotdeauna să o gust înainte să cumpăr. Mersul la piață durează mai mult decât o "
                "vizită la supermarket, dar pentru mine este un mic ritual. Acolo nu cumpăr doar "
                "alimente proaspete, ci și stau de vorbă cu oameni simpatici și aflu noutățile din "
                "cartier."
            ),
        ],
    },
    "bn": {
        "short": [
            "আগামীকাল সকালে বৃষ্টি হতে পারে, তাই ছাতা নিতে ভুলো না।",
            "আমার মা রবিবার সবার জন্য খুব সুস্বাদু খাবার রান্না করেছিলেন।",
            "মাফ করবেন, কাছাকাছি কোনো ওষুধের দোকান কোথায় আছে?",
            "আজ রাস্তায় অনেক যানজট ছিল, তাই অফিসে পৌঁছাতে দেরি হয়েছে।",
            "বাজার থেকে টাটকা সবজি আর কিছু ফল কিনে এনেছি।",
            "আমরা ছুটিতে পরিবারের সবাই মিলে সমুদ্রের ধারে বেড়াতে যাব।",
        ],
        "long": [
            (
                "বাংলার ঋতুগুলোর মধ্যে বর্ষাকাল আমার সবচেয়ে প্রিয়। আষাঢ় মাস এলেই আকাশ কালো মেঘে "
                "ঢেকে যায়, আর হঠাৎ করেই ঝমঝম করে বৃষ্টি নামে। গরমে ক্লান্ত মানুষ আর গাছপালা যেন নতুন "
                "করে প্রাণ ফিরে পায়। চারদিকের মাঠ, পুকুর আর খাল-বিল জলে ভরে ওঠে, আর কৃষকেরা খুশিমনে "
                "ধানের চারা রোপণ করতে শুরু করেন। ছোটবেলায় বৃষ্টির দিনে আমরা ভাইবোনেরা মিলে উঠোনে "
                "কাগজের নৌকা ভাসাতাম আর ভিজে ভিজে খেলা করতাম। মা তখন রান্নাঘরে খিচুড়ি আর ইলিশ মাছ "
                "ভাজা রান্না করতেন, যার গন্ধে পুরো বাড়ি ভরে যেত। বিকেলে জানালার পাশে বসে বৃষ্টির শব্দ "
                "শুনতে শুনতে গল্পের বই পড়ার আনন্দই আলাদা ছিল। অবশ্য শহরে বর্ষা মানে অনেক সময় জলাবদ্ধ "
                "রাস্তা, যানজট আর ভেজা জুতো। তবুও বর্ষার মেঘলা আকাশ, ভেজা মাটির গন্ধ আর কদম ফুলের "
                "সৌন্দর্য আমাকে আজও মুগ্ধ করে। আমার মনে হয়, বর্ষা আমাদের জীবনে প্রকৃতির এক অপূর্ব "
                "উপহার।"
            ),
            (
                "প্রতি বছর শীতের শেষে আমাদের শহরে একটি বড় বইমেলা বসে, আর আমি সারা বছর ধরে এই মেলার "
                "জন্য অপেক্ষা করি। মেলার মাঠে শত শত স্টল সাজানো থাকে, যেখানে নতুন-পুরোনো নানা রকমের বই "
                "পাওয়া যায়। গল্প, কবিতা, উপন্যাস, ইতিহাস, বিজ্ঞান, ছোটদের ছবির বই, কী নেই সেখানে! "
                "প্রতিদিন বিকেলে হাজার হাজার মানুষ পরিবার ও বন্ধুদের সঙ্গে মেলায় আসেন। অনেকে প্রিয় "
                "লেখকের সঙ্গে দেখা করে বইয়ে সই নেন, আবার অনেকে খোলা মঞ্চে আলোচনা আর কবিতা পাঠ শোনেন। "
                "গত বছর আমি আমার ছোট ভাগ্নেকে সঙ্গে নিয়ে গিয়েছিলাম। সে রূপকথার একটা রঙিন বই পেয়ে এত "
                "খুশি হয়েছিল যে সারা রাস্তা বইটা বুকে জড়িয়ে ধরে ছিল। মেলার এক কোণে খাবারের দোকানও "
                "থাকে, যেখানে গরম চা, ফুচকা আর ঝালমুড়ি খেতে খেতে বন্ধুদের সঙ্গে আড্ডা দেওয়া যায়। "
                "আজকাল মোবাইল আর ইন্টারনেটের যুগে অনেকেই বই পড়া কমিয়ে দিয়েছেন, কিন্তু বইমেলার ভিড় "
                "দেখলে মনে হয়, বইয়ের প্রতি মানুষের ভালোবাসা এখনো একটুও কমেনি।"
            ),
        ],
    },
    "ta": {
        "short": [
            "நாளை காலை மழை பெய்யும் என்பதால் குடையை மறக்காமல் எடுத்துச் செல்லுங்கள்.",
            "என் அம்மா ஞாயிற்றுக்கிழமை எல்லோருக்கும் சுவையான உணவு சமைத்தார்.",
            "மன்னிக்கவும், அருகில் உள்ள மருந்தகம் எங்கே இருக்கிறது?",
            "இன்று போக்குவரத்து நெரிசலால் பேருந்து தாமதமாக வந்தது.",
            "சந்தையில் புதிய காய்கறிகளும் பழங்களும் வாங்கினேன்.",
            "அடுத்த மாதம் எங்கள் அலுவலகம் புதிய கட்டடத்திற்கு மாறுகிறது.",
        ],
        "long": [
            (
                "ஒவ்வொரு கோடை விடுமுறையிலும் நான் என் தாத்தா பாட்டியின் கிராமத்திற்குச் செல்வது "
                "வழக்கம். அந்தக் கிராமம் ஒரு சிறிய ஆற்றின் கரையில் அமைந்துள்ளது, அதைச் சுற்றிலும் "
                "பச்சைப் பசேலென்ற வயல்களும் தென்னந்தோப்புகளும் உள்ளன. காலையில் சேவல் கூவும் "
                "சத்தத்திலேயே எங்களுக்கு விழிப்பு வந்துவிடும். பாட்டி விறகு அடுப்பில் சுடச்சுட "
                "இட்லியும் தோசையும் செய்து, தேங்காய்ச் சட்னியுடன் பரிமாறுவார். பகல் நேரத்தில் நாங்கள் "
                "குழந்தைகள் மாமரத்தடியில் விளையாடுவோம், சில நேரங்களில் ஆற்றில் குளிக்கவும் செல்வோம். "
                "தாத்தா எங்களை வயலுக்கு அழைத்துச் சென்று நெல் எப்படி விளைகிறது என்று பொறுமையாக "
                "விளக்குவார். மாலையில் கிராமத்து மக்கள் கோயில் முன்பு கூடி நீண்ட நேரம் "
                "பேசிக்கொண்டிருப்பார்கள். இரவில் வீட்டு மொட்டை மாடியில் படுத்துக்கொண்டு நட்சத்திரங்களை "
                "எண்ணியபடி பாட்டி சொல்லும் பழைய கதைகளைக் கேட்போம். இப்போது நகர வாழ்க்கையின் பரபரப்பில் "
                "அந்த இனிய நாட்கள் அடிக்கடி நினைவுக்கு வருகின்றன. கிராமத்தின் எளிமையும் அன்பும் நமக்கு "
                "நிறைய பாடங்களைக் கற்றுத் தருகின்றன."
            ),
            (
                "எங்கள் நகரத்தில் காலை நேரம் எப்போதும் பரபரப்பாகவே இருக்கும். சூரியன் உதிப்பதற்கு "
                "முன்பே தெருக்களில் பால்காரர்கள், செய்தித்தாள் போடும் சிறுவர்கள், நடைப்பயிற்சிக்குச் "
                "செல்லும் பெரியவர்கள் என பலரையும் பார்க்கலாம். தெருமுனையில் உள்ள சிறிய தேநீர்க் "
                "கடையில் சூடான காபியும் வடையும் வாங்க மக்கள் வரிசையில் நிற்பார்கள். அந்தக் கடையின் "
                "உரிமையாளர் கடந்த இருபது ஆண்டுகளாக அதே இடத்தில் கடை நடத்தி வருகிறார், அவருக்கு எல்லா "
                "வாடிக்கையாளர்களின் பெயரும் தெரியும். நானும் தினமும் அலுவலகம் செல்லும் முன் அங்கே ஒரு "
                "கப் காபி குடிப்பேன். பிறகு பேருந்து நிறுத்தத்திற்குச் சென்று கூட்டமான பேருந்தில் "
                "ஏறுவேன். பயணத்தின்போது ஜன்னல் வழியாகக் கடைகள் திறக்கப்படுவதையும், பள்ளிக்குச் "
                "செல்லும் குழந்தைகளையும், பூக்கள் விற்கும் பெண்களையும் பார்ப்பது எனக்குப் பிடிக்கும். "
                "சில நாட்களில் போக்குவரத்து நெரிசலால் அலுவலகம் செல்லத் தாமதமாகிவிடும், ஆனாலும் இந்த "
                "நகரத்தின் உயிரோட்டமான காலைப் பொழுதை நான் மிகவும் ரசிக்கிறேன். ஒவ்வொரு நாளும் ஏதாவது "
                "புதிய அனுபவம் கிடைக்கும் என்பதே இந்த வாழ்க்கையின் சிறப்பு."
            ),
        ],
    },
}
